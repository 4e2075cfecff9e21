// resound: the all-in-one server (WebSocket edge, Pusher HTTP API, health and metrics on one port, with
// an in-memory bus). What `php artisan reverb:start` is for a Laravel app.
#include <signal.h>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <iostream>
#include <string>

#include "config/ConfigLoader.h"
#include "edge/Server.h"
#include "util/Version.h"

namespace {

constexpr const char* kUsage = R"(Usage: resound [--config FILE] [--help] [--version]

Runs the Resound server: Pusher protocol v7 WebSocket endpoint (/app/{key}), the Pusher HTTP API
(/apps/{id}/...), /health, /up and /metrics, all on one port (default 8080).

Options:
  --config FILE   YAML configuration (see config/resound.yaml). Without it the built-in defaults are
                  used with a development app (id resound, key resound-key, secret resound-secret).
                  The environment variable RESOUND_CONFIG names the file too.
  --help          Show this text.
  --version       Print the version.

Environment overrides use Laravel Reverb's names (REVERB_SERVER_HOST, REVERB_SERVER_PORT, REVERB_APP_ID,
REVERB_APP_KEY, REVERB_APP_SECRET, ...): see README.md for the full list.
Signals: SIGTERM/SIGINT stop gracefully (clients are told to reconnect with code 4200).
)";

struct Options {
    std::string configPath;
    bool help = false;
    bool version = false;
};

Options parseArguments(int argc, char** argv) {
    Options options;
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        if (arg == "--help" || arg == "-h") {
            options.help = true;
        } else if (arg == "--version" || arg == "-v") {
            options.version = true;
        } else if (arg == "--config" || arg == "-c") {
            if (i + 1 >= argc) throw std::invalid_argument("--config needs a file name");
            options.configPath = argv[++i];
        } else if (arg.rfind("--config=", 0) == 0) {
            options.configPath = arg.substr(9);
        } else {
            throw std::invalid_argument("unknown argument '" + arg + "' (see --help)");
        }
    }
    return options;
}

}  // namespace

int main(int argc, char** argv) {
    using namespace resound;
    Options options;
    try {
        options = parseArguments(argc, argv);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "resound: %s\n", e.what());
        return 2;
    }
    if (options.help) {
        std::cout << kUsage;
        return 0;
    }
    if (options.version) {
        std::cout << "resound " << kVersion << "\n";
        return 0;
    }

    auto logger = spdlog::stderr_color_mt("resound");
    spdlog::set_default_logger(logger);
    spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");

    config::Config config;
    try {
        auto env = config::processEnvironment();
        if (options.configPath.empty()) {
            if (auto fromEnv = env("RESOUND_CONFIG")) options.configPath = *fromEnv;
        }
        config = options.configPath.empty() ? config::defaultConfig(env)
                                            : config::loadConfigFile(options.configPath, env);
    } catch (const config::ConfigError& e) {
        std::fprintf(stderr, "resound: configuration error: %s\n", e.what());
        return 78;  // EX_CONFIG
    }
    spdlog::set_level(spdlog::level::from_str(config.server.logLevel));
    if (config.usesDevelopmentCredentials) {
        spdlog::warn("using the development app credentials (key resound-key): set REVERB_APP_ID, "
                     "REVERB_APP_KEY and REVERB_APP_SECRET or a config file before going live");
    }
    spdlog::info("resound {} starting: {}", kVersion, config::describe(config));

    // Signals are taken synchronously by this thread; block them before any thread starts.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);
    ::signal(SIGPIPE, SIG_IGN);

    edge::Server server(config);
    try {
        server.start();
    } catch (const std::exception& e) {
        spdlog::critical("cannot start: {}", e.what());
        return 1;
    }
    for (;;) {
        int signal = 0;
        sigwait(&signals, &signal);
        if (signal == SIGHUP) {
            spdlog::warn("SIGHUP: configuration reload is not supported; restart to apply changes "
                         "(clients reconnect on their own)");
            continue;
        }
        spdlog::info("signal {} received: draining connections", signal);
        break;
    }
    server.shutdown(std::chrono::seconds(10));
    spdlog::info("stopped");
    return 0;
}
