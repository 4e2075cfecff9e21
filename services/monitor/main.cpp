// resound-monitor: health and Prometheus metrics for the whole bundle, read from the node registry
// the services keep in Redis (resound:nodes heartbeats + resound:node:{id}:stats), and the cluster's
// webhook sender: edges in Redis mode forward their transitions to a Redis list, and the monitor that
// holds the sender lease delivers them (one grace period for the whole cluster). The monitor is the
// bundle's one internal, non-WebSocket service that already talks to Redis on its own thread, so the
// blocking HTTP delivery, its retries for minutes and its memory stay out of the edges; running more
// than one monitor is safe (the others stand by). Not public: put it on the internal network and let
// Prometheus scrape /metrics.
#include <spdlog/spdlog.h>

#include <cstdlib>
#include <memory>
#include <stdexcept>
#include <string>

#include "apps/AppRegistry.h"
#include "dashboard/Dashboard.h"
#include "dashboard/DebugRelay.h"
#include "monitor/ClusterBackend.h"
#include "monitor/ClusterPoller.h"
#include "monitor/MonitorEndpoints.h"
#include "monitor/RedisNodeReader.h"
#include "redis/CommandClient.h"
#include "redis/ConnectionOptions.h"
#include "redis/RedisBus.h"
#include "redis/RedisClusterState.h"
#include "service/HttpService.h"
#include "service/ServiceMain.h"
#include "util/ProcessId.h"
#include "webhooks/WebhookDispatcher.h"
#include "webhooks/WebhookWorker.h"

namespace {

using namespace resound;

const service::ServiceInfo kInfo{
    .name = "resound-monitor",
    .summary =
        "Health and metrics of the Resound bundle, read from Redis (REDIS_HOST, REDIS_PORT,\n"
        "REDIS_PASSWORD, REDIS_DB or server.scaling.redis.* of the config file):\n"
        "  GET /health   liveness; 200 with per-node and cluster status, \"redis\":\"down\" when Redis\n"
        "                is unreachable\n"
        "  GET /ready    503 until Redis answers, while it does not, and while stopping\n"
        "  GET /metrics  Prometheus: resound_node_up{node,service}, per-node and cluster totals of\n"
        "                connections, channels, messages and bytes, resound_redis_up, and the\n"
        "                webhook sender's metrics\n"
        "  GET /dashboard  the bundle's dashboard (every node, channels, a live debug console of\n"
        "                every node's events); HTTP Basic admin:<RESOUND_DASHBOARD_PASSWORD>, off (404) "
        "without\n"
        "                a password\n"
        "When any app has webhook targets, it is also the cluster's webhook sender: it delivers what\n"
        "the edges forward through Redis while it holds the sender lease (others stand by).",
    .defaultPort = 9601,
    .portEnvVar = "RESOUND_MONITOR_PORT",
    .valueOptions = {"stale-after", "forget-after", "webhooks", "webhook-lease"},
    .extraUsage =
        "  --stale-after S    A node whose heartbeat is older is down (default 10; "
        "RESOUND_MONITOR_STALE_AFTER).\n"
        "  --forget-after S   Nodes silent longer are no longer listed (default 900;\n"
        "                     RESOUND_MONITOR_FORGET_AFTER).\n"
        "  --webhooks on|off  Be a candidate webhook sender when apps have targets (default on;\n"
        "                     RESOUND_MONITOR_WEBHOOKS).\n"
        "  --webhook-lease S  The sender lease: a standby takes over this long after the sender died\n"
        "                     (default 10; RESOUND_MONITOR_WEBHOOK_LEASE).\n",
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
        throw std::invalid_argument("--" + option + " / " + envVar + ": '" + text +
                                    "' is not a number of seconds (" + std::to_string(min) + "-" +
                                    std::to_string(max) + ")");
    }
    return value;
}

std::string textOption(const service::CommandLine& commandLine, const std::string& option, const char* envVar,
                       const std::string& fallback) {
    if (const auto it = commandLine.options.find(option); it != commandLine.options.end()) return it->second;
    if (const char* env = std::getenv(envVar); env && *env) return env;
    return fallback;
}

int run(service::ServiceContext& context) {
    int staleAfter = 0;
    int forgetAfter = 0;
    int webhookLease = 0;
    try {
        staleAfter =
            secondsOption(context.commandLine, "stale-after", "RESOUND_MONITOR_STALE_AFTER", 10, 1, 3600);
        forgetAfter = secondsOption(context.commandLine, "forget-after", "RESOUND_MONITOR_FORGET_AFTER", 900,
                                    1, 604800);
        webhookLease =
            secondsOption(context.commandLine, "webhook-lease", "RESOUND_MONITOR_WEBHOOK_LEASE", 10, 5, 300);
    } catch (const std::invalid_argument& e) {
        spdlog::critical("{}", e.what());
        return 2;
    }
    const std::string webhooksMode =
        textOption(context.commandLine, "webhooks", "RESOUND_MONITOR_WEBHOOKS", "on");
    if (webhooksMode != "on" && webhooksMode != "off") {
        spdlog::critical("--webhooks / RESOUND_MONITOR_WEBHOOKS: '{}' is neither on nor off", webhooksMode);
        return 2;
    }
    if (forgetAfter < staleAfter) {
        spdlog::critical("--forget-after ({}) must not be shorter than --stale-after ({})", forgetAfter,
                         staleAfter);
        return 2;
    }
    const config::RedisConfig& redis = context.config.server.redis;

    monitor::RedisNodeReader reader(redis, {.connectTimeout = std::chrono::milliseconds(2000),
                                            .ioTimeout = std::chrono::milliseconds(2000),
                                            .forgetAfter = std::chrono::seconds(forgetAfter),
                                            .diedIfSilentFor = std::chrono::milliseconds(staleAfter * 500)});
    monitor::ClusterPoller poller([&reader] { return reader.read(); },
                                  [&reader] { return reader.reconnects(); }, {});

    // What the dashboard's debug consoles watch: the relay's events from every node, and this
    // monitor's own webhook deliveries. Declared before everything that emits into or watches it.
    const std::string monitorId = "monitor-" + util::uniqueProcessId("monitor");
    const auto startedAtMs = std::chrono::duration_cast<std::chrono::milliseconds>(
                                 std::chrono::system_clock::now().time_since_epoch())
                                 .count();
    dashboard::DebugTap debugTap;

    // The webhook sender candidate (null when webhooks are off or no app has a target).
    std::unique_ptr<webhooks::WebhookDispatcher> dispatcher;
    std::unique_ptr<webhooks::WebhookWorker> worker;
    // The grace period is applied in Redis (by the edges' pushes and the sender's claims), so it holds
    // across edges and across a change of sender.
    webhooks::DispatcherOptions dispatcherOptions;
    dispatcherOptions.applyGracePeriod = false;
    dispatcherOptions.debugTap = &debugTap;
    dispatcherOptions.debugNode = monitorId;
    if (webhooksMode == "on")
        dispatcher = webhooks::makeWebhookDispatcher(context.config.apps, dispatcherOptions);
    if (dispatcher) {
        webhooks::WorkerOptions workerOptions;
        workerOptions.leaseTtl = std::chrono::seconds(webhookLease);
        worker = std::make_unique<webhooks::WebhookWorker>(redis, *dispatcher, workerOptions);
    }

    const service::HttpService* server = nullptr;  // set once built, before it serves
    monitor::MonitorEndpoints endpoints([&poller] { return poller.latest(); },
                                        {.staleAfterMs = static_cast<std::int64_t>(staleAfter) * 1000},
                                        [&dispatcher, &worker, &server](std::string& out) {
                                            if (server) service::appendServiceMetrics(out, *server);
                                            if (!worker) return;
                                            worker->appendPrometheus(out);
                                            dispatcher->appendPrometheus(out);
                                        });

    // The dashboard (GET /dashboard; off, 404, without dashboard.password / RESOUND_DASHBOARD_PASSWORD):
    // the whole bundle's overview, channels and debug console. It reads cluster state and publishes
    // as resound-api does, on a Redis client of its own, without registering as a node.
    const apps::AppRegistry apps(context.config.apps);
    std::shared_ptr<redis::CommandClient> dashboardRedis;
    std::unique_ptr<redis::RedisClusterState> clusterState;
    std::unique_ptr<redis::RedisBus> clusterBus;
    std::unique_ptr<monitor::ClusterBackend> backend;
    std::unique_ptr<dashboard::DebugRelayCollector> relay;
    std::unique_ptr<dashboard::Dashboard> dashboard;
    if (!context.config.dashboard.password.empty()) {
        dashboardRedis =
            std::make_shared<redis::CommandClient>(redis::ConnectionOptions::fromConfig(redis), "dashboard");
        clusterState = std::make_unique<redis::RedisClusterState>(
            dashboardRedis, redis::RedisClusterState::Options{.nodeName = {}, .registerNode = false});
        clusterBus = std::make_unique<redis::RedisBus>(dashboardRedis, redis::RedisBusOptions{});
        backend = std::make_unique<monitor::ClusterBackend>(
            monitor::ClusterBackend::Parts{apps,
                                           *clusterState,
                                           *clusterBus,
                                           [&poller] { return poller.latest(); },
                                           {.staleAfterMs = static_cast<std::int64_t>(staleAfter) * 1000},
                                           debugTap,
                                           dispatcher ? &dispatcher->metrics() : nullptr,
                                           monitorId,
                                           startedAtMs});
        relay = std::make_unique<dashboard::DebugRelayCollector>(
            dashboardRedis, redis::ConnectionOptions::fromConfig(redis), debugTap, monitorId);
        dashboard::Dashboard::Options dashboardOptions;
        dashboardOptions.password = context.config.dashboard.password;
        dashboard = std::make_unique<dashboard::Dashboard>(dashboardOptions, *backend);
    }

    service::HttpService::Options options;
    options.host = context.config.server.host;
    options.port = context.port;
    options.maxBodyBytes = dashboard ? 64 * 1024 : 1024;  // GET only, but the dashboard's test-event form
    options.serverName = "resound-monitor";
    service::HttpService http(options, [&endpoints, &dashboard](const service::HttpExchange& request) {
        if (dashboard && dashboard::Dashboard::owns(request.path)) return dashboard->handle(request);
        return endpoints.handle(request);
    });
    server = &http;
    http.start();
    poller.start();
    if (dashboard) {
        relay->start();
        dashboard->start();
    }
    if (worker) {
        dispatcher->start();
        worker->start();
    }
    spdlog::info(
        "resound-monitor listening on {}:{}; redis {}:{}/{} (auth {}); stale after {} s; dashboard={}",
        options.host, http.port(), redis.host, redis.port, redis.db, redis.password.empty() ? "no" : "yes",
        staleAfter, dashboard ? "on" : "off");
    if (worker) {
        spdlog::info("webhook sender candidate {} (lease {} s)", worker->senderId(), webhookLease);
    } else {
        spdlog::info("webhooks: {}",
                     webhooksMode == "off" ? "off (--webhooks off)" : "no app has a webhook target");
    }

    const int signal = context.signals.wait();
    spdlog::info("signal {} received: stopping", signal);
    endpoints.setDraining();
    if (dashboard) dashboard->stop();  // ends the console streams first
    http.stop(std::chrono::milliseconds(1000));
    if (relay) relay->stop();  // deletes this monitor's registration: the nodes stop relaying
    if (worker) {
        // Hand over: claim nothing more, let the requests in flight finish (bounded), then put every
        // unsettled event back at the head of the queue and release the lease, so a standby (or the
        // next deploy's monitor) continues at once.
        worker->beginStop();
        dispatcher->stop();
        worker->stop();
    }
    poller.stop();
    spdlog::info("stopped");
    return 0;
}

}  // namespace

int main(int argc, char** argv) { return service::runServiceMain(kInfo, argc, argv, run); }
