#pragma once
// Which Resound service a container runs, for the image's one HEALTHCHECK. The image declares
// `resound healthcheck` for every container, but a container may run `resound-auth` or
// `resound-monitor` (other port, other probe). Inside a container the service is PID 1 (the binaries
// never fork and run without an init), so /proc/1/cmdline says which one it is; the healthcheck then
// hands over to that binary's own `healthcheck`. Main thread only.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace resound::service {

struct ResoundInvocation {
    std::string binary;                      // "resound-auth", ...
    std::vector<std::string> portAndConfig;  // --port / --config / -c arguments of that command line
};

// Parses a /proc/<pid>/cmdline (arguments separated and ended by NUL). nullopt unless argv[0]'s file
// name is one of the bundle's binaries.
std::optional<ResoundInvocation> resoundInvocationOf(std::string_view cmdline);

// The argument list of `<binary> healthcheck` for that invocation, argv[0] first.
std::vector<std::string> healthcheckArguments(const ResoundInvocation& invocation);

// For `self`'s healthcheck without --url: replaces this process with the healthcheck of the Resound
// service that runs as PID 1 when that is another binary than `self`. Returns (does nothing) when
// PID 1 is not a Resound service (a host, an init) or is `self`; also when the exec fails, logging why
// to stderr, so the caller's own probe still runs.
void delegateHealthcheckToContainerMain(std::string_view self);

}  // namespace resound::service
