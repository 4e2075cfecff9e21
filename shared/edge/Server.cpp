#include "edge/Server.h"

#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <map>
#include <stdexcept>
#include <thread>

#include "bus/InMemoryBus.h"
#include "edge/ScaleOutReadiness.h"
#include "metrics/RegistrationFailures.h"
#include "redis/CommandClient.h"
#include "redis/ConnectionOptions.h"
#include "redis/LoopPublisher.h"
#include "redis/NodeLease.h"
#include "redis/Reaper.h"
#include "redis/RedisBus.h"
#include "redis/RedisClusterState.h"
#include "redis/RedisLoopClusterState.h"
#include "redis/TransitionAnnouncer.h"
#include "state/InMemoryClusterState.h"
#include "util/ProcessId.h"
#include "util/Version.h"
#include "webhooks/EventInterest.h"
#include "websocket/Handshake.h"

namespace resound::edge {

namespace {

// The process-wide connection cap: configured, or what the file-descriptor limit allows (raised to
// its hard maximum first) less a reserve for listeners, epoll, eventfds and log files.
std::size_t connectionCap(std::size_t configured) {
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        ::setrlimit(RLIMIT_NOFILE, &limit);
        ::getrlimit(RLIMIT_NOFILE, &limit);
    }
    std::size_t fromFds = limit.rlim_cur > 128 ? static_cast<std::size_t>(limit.rlim_cur) - 64 : 64;
    return configured > 0 && configured < fromFds ? configured : fromFds;
}

}  // namespace

unsigned ioThreadCount(const config::ServerConfig& server) {
    if (server.ioThreads > 0) return server.ioThreads;
    unsigned cores = std::thread::hardware_concurrency();
    return cores > 0 ? cores : 1;
}

Server::Server(config::Config config, ServerRoles roles)
    : config_(std::move(config)),
      apps_(config_.apps),
      state_(nullptr),
      bus_(nullptr),
      metrics_(ioThreadCount(config_.server)),
      addressLimiter_(config_.server.maxConnectionsPerIp),
      servesWebSockets_(roles.webSocket),
      servesHttpApi_(roles.httpApi) {
    if (config_.server.scalingEnabled) {
        redis_ = std::make_shared<redis::CommandClient>(
            redis::ConnectionOptions::fromConfig(config_.server.redis));
        redis::RedisBusOptions busOptions;
        for (const auto& app : config_.apps) busOptions.appIds.push_back(app.id);
        auto redisBus = std::make_unique<redis::RedisBus>(redis_, busOptions);
        redisBus_ = redisBus.get();
        bus_ = std::move(redisBus);
        auto redisState = std::make_unique<redis::RedisClusterState>(redis_);
        redisState_ = redisState.get();
        state_ = std::move(redisState);
    } else {
        state_ = std::make_unique<state::InMemoryClusterState>();
        bus_ = std::make_unique<bus::InMemoryBus>();
    }
    api_ = std::make_unique<api::ApiHandler>(apps_, *state_, *bus_, config_.server);
    api_->setDebugTap(&debugTap_);
    router_ = std::make_unique<HttpRouter>(config_.server, roles, *api_, metrics_, draining_);
    if (config_.server.scalingEnabled) {
        if (webhooks::anyWebhookTargets(config_.apps)) {
            webhookForwarder_ =
                std::make_unique<webhooks::RedisWebhookSink>(config_.apps, config_.server.redis);
            webhookSink_ = webhookForwarder_.get();
            router_->addMetricsSource([this](std::string& out) { webhookForwarder_->appendPrometheus(out); });
        }
    } else {
        webhooks::DispatcherOptions webhookOptions;
        webhookOptions.spoolDir = config_.server.webhookSpoolDir;  // "" = memory only
        webhookOptions.debugTap = &debugTap_;
        webhooks_ = webhooks::makeWebhookDispatcher(config_.apps, webhookOptions);
        webhookSink_ = webhooks_.get();
        if (webhooks_)
            router_->addMetricsSource([this](std::string& out) { webhooks_->appendPrometheus(out); });
    }
    createDashboard(roles);
}

Server::~Server() {
    for (auto& t : threads_) t->stop();
    debugRelay_.reset();
    lease_.reset();
    reaper_.reset();
}

void Server::createDashboard(const ServerRoles& roles) {
    if (!roles.dashboard || config_.dashboard.password.empty())
        return;  // off: /dashboard is the router's 404
    dashboard::EmbeddedBackend::Sources sources{apps_, *state_, *bus_, metrics_, debugTap_};
    sources.webhooks = webhooks_ ? &webhooks_->metrics() : nullptr;
    sources.nodeId = redisState_ ? redisState_->nodeId() : util::uniqueProcessId(roles.serviceName);
    sources.serviceName = roles.serviceName;
    dashboardBackend_ = std::make_unique<dashboard::EmbeddedBackend>(std::move(sources));
    dashboard::Dashboard::Options options;
    options.password = config_.dashboard.password;
    options.pathPrefix = config_.server.pathPrefix;
    dashboard_ = std::make_unique<dashboard::Dashboard>(std::move(options), *dashboardBackend_);
    service::HttpService::Options serviceOptions;
    serviceOptions.listen = false;  // connections come from the I/O threads
    // One request per handed-over connection: the next request of a keep-alive connection (a proxy
    // pools them for every path) may be for the API or a WebSocket, so the client reconnects to the edge.
    serviceOptions.keepAlive = false;
    serviceOptions.threads = 1;                // an operator's page: one loop is plenty, and it never blocks
    serviceOptions.maxBodyBytes = 256 * 1024;  // a too-large test event gets the app's clear 413
    serviceOptions.keepAliveTimeout = std::chrono::seconds(config_.server.httpIdleTimeoutSeconds);
    serviceOptions.requestTimeout = std::chrono::seconds(config_.server.handshakeTimeoutSeconds);
    dashboardService_ = std::make_unique<service::HttpService>(
        serviceOptions,
        [this](const service::HttpExchange& exchange) { return dashboard_->handle(exchange); });
}

void Server::startScaleOut() {
    // Each transition is decided once for the whole cluster (atomic scripts on the cluster-wide counts;
    // a dead node's leftovers by the one Reaper whose ZREM claimed it), and the process that decided it
    // forwards it to the Redis list the one webhook sender reads.
    announcer_ = std::make_unique<redis::TransitionAnnouncer>(*bus_, config_.apps, webhookSink_);
    redisState_->setResyncListener([this](const redis::ResyncReport& report) {
        spdlog::warn("cluster state re-registered ({}) as node {}", redis::toString(report.reason),
                     report.nodeId);
        announcer_->announce(report.transitions);
    });
    const auto& server = config_.server;
    redis::ReaperOptions reaperOptions;
    reaperOptions.lease = std::chrono::milliseconds(server.nodeLeaseMs);
    reaperOptions.interval = std::chrono::milliseconds(server.reaperIntervalMs);
    reaper_ = std::make_unique<redis::Reaper>(redis_, *announcer_, reaperOptions);
    redis::NodeLeaseOptions leaseOptions;
    leaseOptions.interval = std::chrono::milliseconds(server.heartbeatIntervalMs);
    leaseOptions.retryInterval = std::min(leaseOptions.retryInterval, leaseOptions.interval);
    const std::string service = router_->serviceName();
    const auto started =
        std::chrono::duration_cast<std::chrono::seconds>(startedAt_.time_since_epoch()).count();
    lease_ = std::make_unique<redis::NodeLease>(
        *redisState_,
        [this, service, started] {
            std::uint64_t in = 0, out = 0, bytesIn = 0, bytesOut = 0;
            std::int64_t channels = 0;
            for (std::size_t i = 0; i < metrics_.loopCount(); ++i) {
                auto& l = metrics_.loop(i);
                in += l.messagesIn.load(std::memory_order_relaxed);
                out += l.messagesOut.load(std::memory_order_relaxed);
                bytesIn += l.bytesIn.load(std::memory_order_relaxed);
                bytesOut += l.bytesOut.load(std::memory_order_relaxed);
                channels += l.localChannels.load(std::memory_order_relaxed);
            }
            return std::map<std::string, std::string>{
                {"service", service},
                {"version", kVersion},
                {"started_at", std::to_string(started)},
                {"connections", std::to_string(metrics_.connections())},
                {"channels", std::to_string(channels)},
                {"messages_in", std::to_string(in)},
                {"messages_out", std::to_string(out)},
                {"bytes_in", std::to_string(bytesIn)},
                {"bytes_out", std::to_string(bytesOut)},
                {"api_requests", std::to_string(metrics_.apiRequests())},
                {"api_errors", std::to_string(metrics_.apiErrors())},
                {"slow_consumer_closes", std::to_string(metrics_.slowConsumerCloses())},
                {"rate_limit_hits", std::to_string(metrics_.rateLimitHits())},
            };
        },
        leaseOptions);
    debugRelay_ =
        std::make_unique<dashboard::DebugRelay>(redis_, debugTap_, [this] { return redisState_->nodeId(); });
    router_->addMetricsSource([this](std::string& out) { debugRelay_->appendPrometheus(out); });
    debugRelay_->start();
    router_->setReadinessCheck([this]() -> std::optional<std::string> {
        return scaleOutReadinessProblem({.commandsReachable = redis_->available(),
                                         .stateRegistered = redisState_->available(),
                                         .servesWebSockets = servesWebSockets_,
                                         .subscriberConfirmed = redisBus_->subscribed()});
    });
}

void Server::start() {
    const unsigned count = ioThreadCount(config_.server);
    const std::size_t cap = connectionCap(config_.server.maxConnections);
    EdgeContext context{config_,           apps_, *state_,        *bus_, metrics_, *router_,
                        totalConnections_, cap,   addressLimiter_};
    context.webhooks = webhookSink_;
    context.debugTap = &debugTap_;
    context.dashboard = dashboardService_.get();
    if (config_.server.scalingEnabled && servesWebSockets_ && !servesHttpApi_) {
        // resound-edge: a Redis call on a loop makes every other client of the loop wait, so the loops'
        // calls are held to the short loop timeout and never probe a Redis that is down. Loops that
        // also answer the HTTP API keep the client's defaults; the API itself makes no call on this
        // client from a loop: its publishes, terminate_connections and reads go through the loop's
        // backend, as the protocol's publishes do.
        context.loopThreadInit = [] { redis::CommandClient::markEventLoopThread(); };
    }
    if (config_.server.scalingEnabled && servesWebSockets_) {
        // Subscriptions, presence and connection counts go through each loop's own pipelined Redis
        // connection: a loop never waits for them.
        context.loopStateFactory = [this](loop::EventLoop& loop) -> std::unique_ptr<state::LoopClusterState> {
            return std::make_unique<redis::RedisLoopClusterState>(*redisState_, loop, redis_->options());
        };
    }
    if (config_.server.scalingEnabled) {
        // Each loop's publishes (the API's, the protocol's) go through its own pipelined Redis
        // connection: what one iteration publishes shares a round trip, and the loop never waits.
        context.loopBackendFactory = [this](loop::EventLoop& loop) -> std::unique_ptr<api::LoopBackend> {
            return std::make_unique<redis::LoopPublisher>(loop, redis_->options());
        };
    }
    // Without SHA-1 every handshake would fail; checking here also makes OpenSSL initialise (read its
    // config file, load its provider) at start-up rather than in the first client's handshake on a loop.
    if (servesWebSockets_ && !ws::acceptKeysWork()) {
        throw std::runtime_error("the crypto library cannot compute WebSocket accept keys (SHA-1)");
    }
    // Bind every listener before starting any thread, so a port conflict fails start-up cleanly.
    std::uint16_t port = config_.server.port;
    std::vector<int> listeners;
    for (unsigned i = 0; i < count; ++i) {
        int fd = httpserver::openListener(config_.server.host, port);
        if (i == 0) port = httpserver::boundPort(fd);
        listeners.push_back(fd);
    }
    port_ = port;
    for (unsigned i = 0; i < count; ++i) {
        threads_.push_back(std::make_unique<IoThread>(context, i, listeners[i]));
        IoThread* thread = threads_.back().get();
        bus_->addReceiver([thread](const bus::BusMessagePtr& message) { thread->enqueueBus(message); });
    }
    // Before the threads start: they serve /metrics, and threads_ does not change after this.
    router_->addMetricsSource([this](std::string& out) {
        std::uint64_t failures = 0;
        for (const auto& thread : threads_) failures += thread->registrationFailures();
        metrics::appendRegistrationFailures(out, failures);
    });
    if (webhooks_) webhooks_->start();
    if (webhookForwarder_) webhookForwarder_->start();
    if (dashboard_) {
        dashboardService_->start();  // before the I/O threads, which hand connections to it
        dashboard_->start();
    }
    if (config_.server.scalingEnabled) startScaleOut();
    for (auto& t : threads_) t->start();
    spdlog::info("listening on {}:{} with {} I/O threads, connection cap {}", config_.server.host, port_,
                 count, cap);
}

void Server::shutdown(std::chrono::milliseconds grace) {
    draining_ = true;
    if (dashboard_) dashboard_->stop();  // ends the dashboard's streams: pages reconnect elsewhere
    for (auto& t : threads_) t->requestShutdown();
    auto deadline = std::chrono::steady_clock::now() + grace;
    while (totalConnections_.load() > 0 && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    std::size_t left = totalConnections_.load();
    if (left > 0) spdlog::warn("shutdown grace period over, dropping {} connections", left);
    for (auto& t : threads_) t->stop();
    if (debugRelay_) debugRelay_->stop();
    if (dashboardService_)
        dashboardService_->stop(std::chrono::milliseconds(500));  // after the loops that hand over
    if (reaper_ && redisState_) {
        // Leave the cluster now rather than after the lease runs out, so the monitor does not show a
        // scaled-down node as dead and whatever this node still held is announced at once.
        lease_.reset();
        reaper_->reapNode(redisState_->nodeId());
    }
    if (webhooks_) webhooks_->stop();                  // after the loops: they emit until they stop
    if (webhookForwarder_) webhookForwarder_->stop();  // after the own reap, whose departures it carries
}

}  // namespace resound::edge
