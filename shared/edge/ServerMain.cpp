#include "edge/ServerMain.h"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <iostream>
#include <string>

#include "config/ConfigLoader.h"
#include "edge/Server.h"
#include "service/ContainerMainProcess.h"
#include "service/Healthcheck.h"
#include "service/StopSignals.h"
#include "util/Version.h"

namespace resound::edge {

namespace {

struct Arguments {
    std::string configPath;
    std::string healthcheckUrl;
    bool healthcheck = false;
    bool help = false;
    bool version = false;
};

Arguments parseArguments(int argc, char** argv) {
    Arguments args;
    int i = 1;
    if (argc > 1 && std::string(argv[1]) == "healthcheck") {
        args.healthcheck = true;
        ++i;
    }
    for (; i < argc; ++i) {
        std::string arg = argv[i];
        auto value = [&](const char* name) {
            if (i + 1 >= argc) throw std::invalid_argument(std::string(name) + " needs a value");
            return std::string(argv[++i]);
        };
        if (arg == "--help" || arg == "-h") {
            args.help = true;
        } else if (arg == "--version" || arg == "-v") {
            args.version = true;
        } else if (arg == "--config" || arg == "-c") {
            args.configPath = value("--config");
        } else if (arg.rfind("--config=", 0) == 0) {
            args.configPath = arg.substr(9);
        } else if (args.healthcheck && arg == "--url") {
            args.healthcheckUrl = value("--url");
        } else {
            throw std::invalid_argument("unknown argument '" + arg + "' (see --help)");
        }
    }
    return args;
}

config::Config loadConfig(const std::string& path, const config::EnvLookup& env) {
    std::string file = path;
    if (file.empty()) {
        if (auto fromEnv = env("RESOUND_CONFIG")) file = *fromEnv;
    }
    return file.empty() ? config::defaultConfig(env) : config::loadConfigFile(file, env);
}

}  // namespace

int runServerMain(int argc, char** argv, const ServerMainOptions& options) {
    const std::string name = options.roles.serviceName;
    Arguments args;
    try {
        args = parseArguments(argc, argv);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "%s: %s\n", name.c_str(), e.what());
        return 2;
    }
    if (args.help) {
        std::cout << options.usage;
        return 0;
    }
    if (args.version) {
        std::cout << name << " " << kVersion << "\n";
        return 0;
    }

    config::Config config;
    try {
        config = loadConfig(args.configPath, config::processEnvironment());
    } catch (const config::ConfigError& e) {
        std::fprintf(stderr, "%s: configuration error: %s\n", name.c_str(), e.what());
        return 78;  // EX_CONFIG
    }
    if (args.healthcheck) {
        // Docker HEALTHCHECK: slim images have no curl, so the binary probes itself. /ready, because
        // Docker health is what a proxy such as Coolify's Traefik routes by: a draining (lame-duck) or,
        // in scale-out mode, Redis-less server must leave the rotation.
        if (args.healthcheckUrl.empty()) service::delegateHealthcheckToContainerMain(name);
        std::string url = args.healthcheckUrl.empty()
                              ? "http://127.0.0.1:" + std::to_string(config.server.port) + "/ready"
                              : args.healthcheckUrl;
        return service::runHealthcheck(url, service::kDefaultHealthcheckTimeout);
    }
    if (options.requiresScaling && !config.server.scalingEnabled) {
        std::fprintf(stderr,
                     "%s: configuration error: server.scaling.enabled: %s shares state through Redis; set "
                     "REVERB_SCALING_ENABLED=true and REDIS_HOST (or run the all-in-one `resound`)\n",
                     name.c_str(), name.c_str());
        return 78;
    }

    auto logger = spdlog::stderr_color_mt(name);
    spdlog::set_default_logger(logger);
    spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
    spdlog::set_level(spdlog::level::from_str(config.server.logLevel));
    if (config.usesDevelopmentCredentials) {
        spdlog::warn(
            "using the development app credentials (key resound-key): set REVERB_APP_ID, "
            "REVERB_APP_KEY and REVERB_APP_SECRET or a config file before going live");
    }
    spdlog::info("{} {} starting: {}", name, kVersion, config::describe(config));

    service::StopSignals signals;  // before any thread starts, so every thread inherits the mask

    int exitCode = 0;
    try {
        Server server(config, options.roles);
        server.start();
        const int signal = signals.waitThenLameDuck(std::chrono::milliseconds(config.server.shutdownDelayMs),
                                                    [&server] { server.enterLameDuck(); });
        spdlog::info("signal {} received: draining connections", signal);
        server.shutdown(std::chrono::milliseconds(config.server.shutdownTimeoutMs));
    } catch (const std::exception& e) {
        spdlog::critical("{}: {}", name, e.what());
        exitCode = 1;
    }
    spdlog::info("stopped");
    return exitCode;
}

}  // namespace resound::edge
