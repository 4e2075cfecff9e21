#include "service/ServiceMain.h"

#include <Poco/Exception.h>
#include <signal.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <iostream>
#include <stdexcept>

#include "service/ContainerMainProcess.h"
#include "service/Logging.h"
#include "util/Version.h"

namespace resound::service {
namespace {

constexpr int kExitUsage = 2;
constexpr int kExitConfig = 78;  // EX_CONFIG

std::uint16_t parsePort(const std::string& text, const std::string& what) {
    unsigned value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size() || value < 1 || value > 65535) {
        throw std::invalid_argument(what + ": '" + text + "' is not a port number (1-65535)");
    }
    return static_cast<std::uint16_t>(value);
}

long parseMilliseconds(const std::string& text, const std::string& what) {
    long value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size() || value < 1 || value > 600000) {
        throw std::invalid_argument(what + ": '" + text + "' is not a number of milliseconds (1-600000)");
    }
    return value;
}

// Splits "--name=value" / "--name value"; advances i past a separate value.
struct Argument {
    std::string name;
    std::optional<std::string> inlineValue;
};

Argument splitArgument(const std::string& arg) {
    const std::size_t equals = arg.find('=');
    if (arg.rfind("--", 0) != 0 || equals == std::string::npos) return {arg, std::nullopt};
    return {arg.substr(0, equals), arg.substr(equals + 1)};
}

}  // namespace

CommandLine parseCommandLine(const ServiceInfo& info, int argc, const char* const* argv) {
    CommandLine result;
    int i = 1;
    if (argc > 1 && std::string(argv[1]) == "healthcheck") {
        result.mode = CommandLine::Mode::Healthcheck;
        i = 2;
    }
    const bool healthcheck = result.mode == CommandLine::Mode::Healthcheck;
    for (; i < argc; ++i) {
        const Argument arg = splitArgument(argv[i]);
        const auto value = [&]() -> std::string {
            if (arg.inlineValue) return *arg.inlineValue;
            if (i + 1 >= argc) throw std::invalid_argument(arg.name + " needs a value");
            return argv[++i];
        };
        const std::string bare = arg.name.rfind("--", 0) == 0 ? arg.name.substr(2) : "";
        if ((arg.name == "--help" || arg.name == "-h") && !arg.inlineValue) {
            result.mode = CommandLine::Mode::Help;
        } else if ((arg.name == "--version" || arg.name == "-v") && !arg.inlineValue && !healthcheck) {
            result.mode = CommandLine::Mode::Version;
        } else if (arg.name == "--config" || arg.name == "-c") {
            result.configPath = value();
        } else if (arg.name == "--port") {
            result.port = parsePort(value(), "--port");
        } else if (arg.name == "--log-format" && !healthcheck) {
            result.logFormat = value();
            if (!parseLogFormat(*result.logFormat)) {
                throw std::invalid_argument("--log-format: '" + *result.logFormat + "' is not text or json");
            }
        } else if (arg.name == "--url" && healthcheck) {
            result.healthUrl = value();
        } else if (arg.name == "--timeout" && healthcheck) {
            result.healthTimeout = std::chrono::milliseconds(parseMilliseconds(value(), "--timeout"));
        } else if (!bare.empty() && !healthcheck &&
                   std::find(info.valueOptions.begin(), info.valueOptions.end(), bare) !=
                       info.valueOptions.end()) {
            result.options[bare] = value();
        } else {
            throw std::invalid_argument("unknown argument '" + std::string(argv[i]) + "'" +
                                        (healthcheck ? " for healthcheck" : "") + " (see --help)");
        }
    }
    return result;
}

std::string usageText(const ServiceInfo& info) {
    std::string text = "Usage: " + info.name + " [--config FILE] [--port N] [options]\n";
    text += "       " + info.name + " healthcheck [--url URL] [--timeout MS] [--port N]\n\n";
    text += info.summary + "\n\nOptions:\n";
    text +=
        "  --config FILE      YAML configuration (config/resound.yaml documents every key); the\n"
        "                     environment variable RESOUND_CONFIG names the file too. Without a file\n"
        "                     the built-in defaults plus the environment (REVERB_*, REDIS_*) apply.\n";
    text += "  --port N           Port to listen on (default " + std::to_string(info.defaultPort);
    text += info.portEnvVar.empty() ? ")\n" : ", or $" + info.portEnvVar + ")\n";
    text +=
        "  --log-format FMT   text (default, stderr) or json (stdout, one object per line); also\n"
        "                     RESOUND_LOG_FORMAT. The level is server.log_level / RESOUND_LOG_LEVEL.\n";
    text += info.extraUsage;
    text +=
        "  --help             Show this text.\n"
        "  --version          Print the version.\n\n"
        "healthcheck: GET http://127.0.0.1:<port>" +
        info.healthcheckPath +
        " (or --url) within --timeout ms\n"
        "(default 3000); exit status 0 on 200, 1 otherwise. Meant for Docker HEALTHCHECK: in a container\n"
        "whose main process is another Resound binary, that binary's healthcheck runs instead.\n"
        "Signals: SIGTERM/SIGINT stop gracefully (exit status 0).\n";
    return text;
}

std::uint16_t resolvePort(const ServiceInfo& info, const CommandLine& commandLine,
                          const config::EnvLookup& env) {
    if (commandLine.port) return *commandLine.port;
    if (!info.portEnvVar.empty()) {
        if (const auto fromEnv = env(info.portEnvVar); fromEnv && !fromEnv->empty()) {
            return parsePort(*fromEnv, info.portEnvVar);
        }
    }
    return info.defaultPort;
}

config::Config loadServiceConfig(const CommandLine& commandLine, const config::EnvLookup& env) {
    std::string path = commandLine.configPath;
    if (path.empty()) {
        if (const auto fromEnv = env("RESOUND_CONFIG")) path = *fromEnv;
    }
    return path.empty() ? config::defaultConfig(env) : config::loadConfigFile(path, env);
}

int runServiceMain(const ServiceInfo& info, int argc, char** argv,
                   const std::function<int(ServiceContext&)>& run) {
    const config::EnvLookup env = config::processEnvironment();
    CommandLine commandLine;
    std::uint16_t port = 0;
    try {
        commandLine = parseCommandLine(info, argc, argv);
        if (commandLine.mode == CommandLine::Mode::Help) {
            std::cout << usageText(info);
            return 0;
        }
        if (commandLine.mode == CommandLine::Mode::Version) {
            std::cout << info.name << " " << kVersion << "\n";
            return 0;
        }
        port = resolvePort(info, commandLine, env);
    } catch (const std::invalid_argument& e) {
        std::fprintf(stderr, "%s: %s\n", info.name.c_str(), e.what());
        return kExitUsage;
    }
    if (commandLine.mode == CommandLine::Mode::Healthcheck) {
        if (commandLine.healthUrl.empty()) delegateHealthcheckToContainerMain(info.name);
        const std::string url = commandLine.healthUrl.empty()
                                    ? "http://127.0.0.1:" + std::to_string(port) + info.healthcheckPath
                                    : commandLine.healthUrl;
        return runHealthcheck(url, commandLine.healthTimeout);
    }

    LogFormat format = LogFormat::Text;
    const std::optional<std::string> formatText =
        commandLine.logFormat ? commandLine.logFormat : env("RESOUND_LOG_FORMAT");
    if (formatText && !formatText->empty()) {
        const auto parsed = parseLogFormat(*formatText);
        if (!parsed) {
            std::fprintf(stderr, "%s: RESOUND_LOG_FORMAT: '%s' is not text or json\n", info.name.c_str(),
                         formatText->c_str());
            return kExitUsage;
        }
        format = *parsed;
    }

    config::Config config;
    try {
        config = loadServiceConfig(commandLine, env);
    } catch (const config::ConfigError& e) {
        std::fprintf(stderr, "%s: configuration error: %s\n", info.name.c_str(), e.what());
        return kExitConfig;
    }
    initLogging(info.name, config.server.logLevel, format);
    if (config.usesDevelopmentCredentials) {
        spdlog::warn(
            "using the development app credentials (key resound-key): set REVERB_APP_ID, "
            "REVERB_APP_KEY and REVERB_APP_SECRET or a config file before going live");
    }

    StopSignals signals;  // before any thread starts, so every thread inherits the mask
    ServiceContext context{commandLine, config, port, signals};
    try {
        return run(context);
    } catch (const Poco::Exception& e) {  // what() is only the class name
        spdlog::critical("{} failed: {}", info.name, e.displayText());
        return 1;
    } catch (const std::exception& e) {
        spdlog::critical("{} failed: {}", info.name, e.what());
        return 1;
    }
}

}  // namespace resound::service
