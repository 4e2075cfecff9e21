// describe(): the start-up log line. Lists what an operator needs to confirm the deployment (address,
// threads, scaling, which apps) and nothing secret: no app secrets, no Redis password, no dashboard
// password (only whether the dashboard is on).
#include <string>

#include "config/ConfigLoader.h"

namespace resound::config {
namespace {

constexpr std::size_t kAppsListed = 5;  // keeps the line short with many apps

std::string orAuto(std::size_t value) { return value == 0 ? "auto" : std::to_string(value); }

}  // namespace

std::string hostPort(std::string_view host, unsigned port) {
    const bool ipv6 = host.find(':') != std::string_view::npos;
    const std::string name = ipv6 ? "[" + std::string(host) + "]" : std::string(host);
    return name + ":" + std::to_string(port);
}

std::string describe(const Config& config) {
    const ServerConfig& server = config.server;
    std::string line = "listen=" + hostPort(server.host, server.port);
    line += " path_prefix=" + (server.pathPrefix.empty() ? std::string("none") : server.pathPrefix);
    line += " io_threads=" + orAuto(server.ioThreads);
    line += " max_connections=" + orAuto(server.maxConnections);
    line += " log_level=" + server.logLevel;
    line += " shutdown_delay_ms=" + std::to_string(server.shutdownDelayMs);
    if (server.scalingEnabled) {
        line += " scaling=" + server.redis.describe();
        line += server.redis.password.empty() ? " redis_auth=no" : " redis_auth=yes";
    } else {
        line += " scaling=off";
    }
    line += config.dashboard.password.empty() ? " dashboard=off" : " dashboard=on";
    line += " apps=" + std::to_string(config.apps.size()) + " [";
    for (std::size_t i = 0; i < config.apps.size() && i < kAppsListed; ++i) {
        line += (i == 0 ? "" : ", ") + config.apps[i].id;
    }
    if (config.apps.size() > kAppsListed)
        line += ", +" + std::to_string(config.apps.size() - kAppsListed) + " more";
    line += "]";
    if (config.usesDevelopmentCredentials) line += " DEVELOPMENT-CREDENTIALS";
    return line;
}

}  // namespace resound::config
