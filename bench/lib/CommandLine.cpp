#include "CommandLine.h"

#include <sys/resource.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <iostream>

#include "BenchReport.h"

namespace resound::bench {

bool parseUnsigned(const std::string& text, std::uint64_t& out) {
    if (text.empty() || text[0] < '0' || text[0] > '9') return false;
    char* end = nullptr;
    errno = 0;
    out = std::strtoull(text.c_str(), &end, 10);
    return end && *end == '\0' && errno != ERANGE;
}

bool parseFinite(const std::string& text, double& out) {
    if (text.empty()) return false;
    char* end = nullptr;
    out = std::strtod(text.c_str(), &end);
    return end && *end == '\0' && std::isfinite(out);
}

OptionSetter setUnsigned(std::uint64_t& field) {
    return [&field](const std::string& v) { return parseUnsigned(v, field); };
}

OptionSetter setSize(std::size_t& field) {
    return [&field](const std::string& v) {
        std::uint64_t n = 0;
        if (!parseUnsigned(v, n)) return false;
        field = static_cast<std::size_t>(n);
        return true;
    };
}

OptionSetter setNonNegative(double& field) {
    return [&field](const std::string& v) { return parseFinite(v, field) && field >= 0; };
}

OptionSetter setFinite(double& field) {
    return [&field](const std::string& v) { return parseFinite(v, field); };
}

OptionSetter setText(std::string& field) {
    return [&field](const std::string& v) {
        field = v;
        return !v.empty();
    };
}

OptionSetter addParam(std::vector<std::pair<std::string, std::string>>& params) {
    return [&params](const std::string& v) {
        const std::size_t eq = v.find('=');
        if (eq == 0 || eq == std::string::npos) return false;
        params.emplace_back(v.substr(0, eq), v.substr(eq + 1));
        return true;
    };
}

bool applyOptions(int argc, char** argv, const OptionSetters& setters,
                  const std::map<std::string, std::function<void()>>& flags, const std::string& usage,
                  std::string& message) {
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--help" || arg == "-h") {
            message = usage;
            return false;
        }
        if (const auto flag = flags.find(arg); flag != flags.end()) {
            flag->second();
            continue;
        }
        const auto it = setters.find(arg);
        if (it == setters.end()) {
            message = "unknown option " + arg + "\n" + usage;
            return false;
        }
        if (i + 1 >= argc || !it->second(argv[i + 1])) {
            message = "bad or missing value for " + arg + "\n" + usage;
            return false;
        }
        ++i;
    }
    return true;
}

int reportUsageProblem(const std::string& message) {
    const bool help = message.rfind("usage:", 0) == 0;
    (help ? std::cout : std::cerr) << message;
    return help ? 0 : 2;
}

int finishRun(const BenchReport& report, const std::string& jsonPath, const std::string& summaryPath) {
    std::cout << report.table() << std::flush;
    if (!jsonPath.empty()) {
        std::ofstream out(jsonPath);
        out << report.json();
        if (!out) std::cerr << "cannot write " << jsonPath << "\n";
    }
    if (!summaryPath.empty()) {
        std::ofstream out(summaryPath, std::ios::app);
        out << report.summaryLine() << "\n";
        if (!out) std::cerr << "cannot write " << summaryPath << "\n";
    }
    return report.ok() ? 0 : 1;
}

std::size_t raiseFileLimit() {
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return 1024;
    if (limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        setrlimit(RLIMIT_NOFILE, &limit);
        getrlimit(RLIMIT_NOFILE, &limit);
    }
    return static_cast<std::size_t>(limit.rlim_cur);
}

}  // namespace resound::bench
