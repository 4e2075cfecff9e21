// resound-monitor: health and Prometheus metrics for the whole bundle, read from the node registry
// the services keep in Redis (resound:nodes heartbeats + resound:node:{id}:stats). Not public: put
// it on the internal network and let Prometheus scrape /metrics.
#include <spdlog/spdlog.h>

#include <cstdlib>
#include <stdexcept>
#include <string>

#include "monitor/ClusterPoller.h"
#include "monitor/MonitorEndpoints.h"
#include "monitor/RedisNodeReader.h"
#include "service/HttpService.h"
#include "service/ServiceMain.h"

namespace {

using namespace resound;

const service::ServiceInfo kInfo{
    .name = "resound-monitor",
    .summary = "Health and metrics of the Resound bundle, read from Redis (REDIS_HOST, REDIS_PORT,\n"
               "REDIS_PASSWORD, REDIS_DB or server.scaling.redis.* of the config file):\n"
               "  GET /health   liveness; 200 with per-node and cluster status, \"redis\":\"down\" when Redis\n"
               "                is unreachable\n"
               "  GET /ready    503 until Redis answers, while it does not, and while stopping\n"
               "  GET /metrics  Prometheus: resound_node_up{node,service}, per-node and cluster totals of\n"
               "                connections, channels, messages and bytes, resound_redis_up",
    .defaultPort = 9601,
    .portEnvVar = "RESOUND_MONITOR_PORT",
    .valueOptions = {"stale-after", "forget-after"},
    .extraUsage =
        "  --stale-after S    A node whose heartbeat is older is down (default 10; RESOUND_MONITOR_STALE_AFTER).\n"
        "  --forget-after S   Nodes silent longer are no longer listed (default 900;\n"
        "                     RESOUND_MONITOR_FORGET_AFTER).\n",
};

int secondsOption(const service::CommandLine& commandLine, const std::string& option, const char* envVar,
                  int fallback, int min, int max) {
    std::string text;
    if (const auto it = commandLine.options.find(option); it != commandLine.options.end()) {
        text = it->second;
    } else if (const char* env = std::getenv(envVar); env && *env) {
        text = env;
    } else {
        return fallback;
    }
    std::size_t used = 0;
    int value = 0;
    try {
        value = std::stoi(text, &used);
    } catch (const std::exception&) {
        used = 0;
    }
    if (used == 0 || used != text.size() || value < min || value > max) {
        throw std::invalid_argument("--" + option + " / " + envVar + ": '" + text + "' is not a number of seconds (" +
                                    std::to_string(min) + "-" + std::to_string(max) + ")");
    }
    return value;
}

int run(service::ServiceContext& context) {
    int staleAfter = 0;
    int forgetAfter = 0;
    try {
        staleAfter = secondsOption(context.commandLine, "stale-after", "RESOUND_MONITOR_STALE_AFTER", 10, 1, 3600);
        forgetAfter = secondsOption(context.commandLine, "forget-after", "RESOUND_MONITOR_FORGET_AFTER", 900, 1, 604800);
    } catch (const std::invalid_argument& e) {
        spdlog::critical("{}", e.what());
        return 2;
    }
    if (forgetAfter < staleAfter) {
        spdlog::critical("--forget-after ({}) must not be shorter than --stale-after ({})", forgetAfter, staleAfter);
        return 2;
    }
    const config::RedisConfig& redis = context.config.server.redis;

    monitor::RedisNodeReader reader(redis, {.connectTimeout = std::chrono::milliseconds(2000),
                                            .ioTimeout = std::chrono::milliseconds(2000),
                                            .forgetAfter = std::chrono::seconds(forgetAfter),
                                            .diedIfSilentFor = std::chrono::milliseconds(staleAfter * 500)});
    monitor::ClusterPoller poller([&reader] { return reader.read(); }, [&reader] { return reader.reconnects(); }, {});
    monitor::MonitorEndpoints endpoints([&poller] { return poller.latest(); },
                                        {.staleAfterMs = static_cast<std::int64_t>(staleAfter) * 1000});

    service::HttpService::Options options;
    options.host = context.config.server.host;
    options.port = context.port;
    options.maxBodyBytes = 1024;  // GET only
    options.serverName = "resound-monitor";
    service::HttpService http(options, [&endpoints](const service::HttpExchange& request) {
        return endpoints.handle(request);
    });
    http.start();
    poller.start();
    spdlog::info("resound-monitor listening on {}:{}; redis {}:{}/{} (auth {}); stale after {} s", options.host,
                 http.port(), redis.host, redis.port, redis.db, redis.password.empty() ? "no" : "yes", staleAfter);

    const int signal = context.signals.wait();
    spdlog::info("signal {} received: stopping", signal);
    endpoints.setDraining();
    http.stop(std::chrono::milliseconds(1000));
    poller.stop();
    spdlog::info("stopped");
    return 0;
}

}  // namespace

int main(int argc, char** argv) { return service::runServiceMain(kInfo, argc, argv, run); }
