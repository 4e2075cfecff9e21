#pragma once
// The shared main() of the bundle's service binaries: the common command line (--config, --port,
// --help, --version, `healthcheck`), logging, configuration, and waiting for SIGTERM. A service
// supplies its description and a run function that starts its work, calls
// context.signals.wait(), stops and returns the exit status. Main thread only.
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "config/Config.h"
#include "config/ConfigLoader.h"
#include "service/Healthcheck.h"
#include "service/StopSignals.h"

namespace resound::service {

struct ServiceInfo {
    std::string name;     // binary name, e.g. "resound-auth": logger name, --version, usage
    std::string summary;  // what the service does (first paragraph of --help)
    std::uint16_t defaultPort = 8080;
    std::string portEnvVar;  // e.g. "RESOUND_AUTH_PORT": overrides the default, --port overrides it
    std::vector<std::string> valueOptions;  // extra "--name VALUE" options, without "--"
    std::string extraUsage;                 // help lines for those options and service-specific environment
    // What `healthcheck` probes without --url: /ready where a proxy should stop routing to a
    // draining instance, /health where liveness is all that matters.
    std::string healthcheckPath = "/health";
};

struct CommandLine {
    enum class Mode { Run, Help, Version, Healthcheck };
    Mode mode = Mode::Run;
    std::string configPath;                // --config; RESOUND_CONFIG when empty
    std::optional<std::uint16_t> port;     // --port
    std::optional<std::string> logFormat;  // --log-format
    std::string healthUrl;  // healthcheck --url; default http://127.0.0.1:<port><healthcheckPath>
    std::chrono::milliseconds healthTimeout = kDefaultHealthcheckTimeout;  // healthcheck --timeout MS
    std::map<std::string, std::string> options;  // ServiceInfo::valueOptions that were given
};

// Throws std::invalid_argument with a one-line message for unknown or malformed arguments.
CommandLine parseCommandLine(const ServiceInfo& info, int argc, const char* const* argv);
std::string usageText(const ServiceInfo& info);

// --port, else the service's port variable, else the default. Throws std::invalid_argument.
std::uint16_t resolvePort(const ServiceInfo& info, const CommandLine& commandLine,
                          const config::EnvLookup& env);

// --config FILE, else $RESOUND_CONFIG, else the built-in defaults; env overrides apply either way.
// Throws config::ConfigError.
config::Config loadServiceConfig(const CommandLine& commandLine, const config::EnvLookup& env);

struct ServiceContext {
    const CommandLine& commandLine;
    const config::Config& config;
    std::uint16_t port;
    StopSignals& signals;
};

// Exit codes: run's result; 0 for --help/--version; healthcheck 0/1; 2 bad arguments; 78 bad config.
int runServiceMain(const ServiceInfo& info, int argc, char** argv,
                   const std::function<int(ServiceContext&)>& run);

}  // namespace resound::service
