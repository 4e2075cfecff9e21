#include "service/ContainerMainProcess.h"

#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>

namespace resound::service {
namespace {

constexpr std::array<std::string_view, 5> kBinaries = {"resound", "resound-edge", "resound-api",
                                                       "resound-auth", "resound-monitor"};

std::vector<std::string> splitNulTerminated(std::string_view text) {
    std::vector<std::string> parts;
    while (!text.empty()) {
        const std::size_t end = text.find('\0');
        parts.emplace_back(text.substr(0, end));
        if (end == std::string_view::npos) break;
        text.remove_prefix(end + 1);
    }
    return parts;
}

bool takesValue(std::string_view argument) {
    return argument == "--port" || argument == "--config" || argument == "-c";
}

bool carriesValue(std::string_view argument) {
    return argument.rfind("--port=", 0) == 0 || argument.rfind("--config=", 0) == 0;
}

}  // namespace

std::optional<ResoundInvocation> resoundInvocationOf(std::string_view cmdline) {
    const std::vector<std::string> argv = splitNulTerminated(cmdline);
    if (argv.empty()) return std::nullopt;
    const std::string& program = argv.front();
    const std::size_t slash = program.rfind('/');
    const std::string name = slash == std::string::npos ? program : program.substr(slash + 1);
    bool known = false;
    for (std::string_view binary : kBinaries) known = known || binary == name;
    if (!known) return std::nullopt;

    ResoundInvocation invocation{name, {}};
    for (std::size_t i = 1; i < argv.size(); ++i) {
        if (carriesValue(argv[i])) {
            invocation.portAndConfig.push_back(argv[i]);
        } else if (takesValue(argv[i]) && i + 1 < argv.size()) {
            invocation.portAndConfig.push_back(argv[i]);
            invocation.portAndConfig.push_back(argv[++i]);
        }
    }
    return invocation;
}

std::vector<std::string> healthcheckArguments(const ResoundInvocation& invocation) {
    std::vector<std::string> arguments{invocation.binary, "healthcheck"};
    arguments.insert(arguments.end(), invocation.portAndConfig.begin(), invocation.portAndConfig.end());
    return arguments;
}

void delegateHealthcheckToContainerMain(std::string_view self) {
    std::ifstream file("/proc/1/cmdline", std::ios::binary);
    if (!file) return;
    const std::string cmdline((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
    const auto invocation = resoundInvocationOf(cmdline);
    if (!invocation || invocation->binary == self) return;

    std::vector<std::string> arguments = healthcheckArguments(*invocation);
    std::vector<char*> argv;
    for (auto& argument : arguments) argv.push_back(argument.data());
    argv.push_back(nullptr);
    ::execvp(argv.front(), argv.data());
    std::fprintf(stderr, "healthcheck: cannot run %s healthcheck (%s); probing %.*s instead\n", argv.front(),
                 std::strerror(errno), static_cast<int>(self.size()), self.data());
}

}  // namespace resound::service
