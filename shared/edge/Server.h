#pragma once
// The all-in-one Resound server: N I/O threads sharing one port (WebSocket edge, HTTP API, health and
// metrics), an in-memory bus and cluster state. Built and driven from main's thread.
#include <atomic>
#include <chrono>
#include <memory>
#include <vector>

#include "api/ApiHandler.h"
#include "apps/AppRegistry.h"
#include "bus/Bus.h"
#include "config/Config.h"
#include "dashboard/Dashboard.h"
#include "dashboard/DebugRelay.h"
#include "dashboard/DebugTap.h"
#include "dashboard/EmbeddedBackend.h"
#include "edge/HttpRouter.h"
#include "edge/IoThread.h"
#include "httpserver/Listener.h"
#include "metrics/Metrics.h"
#include "state/ClusterState.h"
#include "webhooks/RedisWebhookSink.h"
#include "webhooks/WebhookDispatcher.h"

namespace resound::redis {
class CommandClient;
class RedisBus;
class RedisClusterState;
class NodeLease;
class Reaper;
class TransitionAnnouncer;
}  // namespace resound::redis

namespace resound::edge {

class Server {
  public:
    explicit Server(config::Config config, ServerRoles roles = {});
    ~Server();

    void start();  // binds (throws std::runtime_error if it cannot) and starts the I/O threads
    std::uint16_t port() const { return port_; }
    // First step of an orchestrated stop: /ready answers 503 (and /health says "draining") while
    // everything else goes on as before, so a proxy that checks /ready stops sending new clients here.
    void enterLameDuck() { draining_ = true; }
    // Graceful stop: refuse new connections, tell clients to reconnect (4200), wait up to `grace` for
    // them to go, then stop the loops.
    void shutdown(std::chrono::milliseconds grace);

    // What this process reports to the debug console (protocol, HTTP API, embedded webhook sender).
    dashboard::DebugTap& debugTap() { return debugTap_; }

  private:
    config::Config config_;
    apps::AppRegistry apps_;
    std::unique_ptr<state::ClusterState> state_;
    std::unique_ptr<bus::Bus> bus_;
    metrics::Metrics metrics_;
    dashboard::DebugTap debugTap_;  // before everything that emits into it
    std::unique_ptr<api::ApiHandler> api_;
    std::atomic<bool> draining_{false};
    std::unique_ptr<HttpRouter> router_;
    std::atomic<std::size_t> totalConnections_{0};
    AddressLimiter addressLimiter_;
    // Where transitions go, null when no app has a webhook target. In-memory mode: this process's own
    // dispatcher delivers them. Scale-out mode: the Redis sink hands them to the cluster's one
    // webhook sender (resound-monitor's WebhookWorker), whose single grace period sees every edge.
    std::unique_ptr<webhooks::WebhookDispatcher> webhooks_;
    std::unique_ptr<webhooks::RedisWebhookSink> webhookForwarder_;
    webhooks::WebhookSink* webhookSink_ = nullptr;
    // Scale-out mode only (REVERB_SCALING_ENABLED): the Redis pieces that keep this node's share of
    // the cluster state alive (heartbeats), reap dead nodes, and announce their departures.
    std::shared_ptr<redis::CommandClient> redis_;
    redis::RedisClusterState* redisState_ = nullptr;  // == state_ in scale-out mode
    redis::RedisBus* redisBus_ = nullptr;             // == bus_ in scale-out mode
    bool servesWebSockets_ = true;                    // edges (and `resound`), not resound-api
    bool servesHttpApi_ = true;                       // `resound` and resound-api
    std::unique_ptr<redis::TransitionAnnouncer> announcer_;
    std::unique_ptr<redis::Reaper> reaper_;
    std::unique_ptr<redis::NodeLease> lease_;
    // Scale-out mode: ships this node's debug events to resound-monitor while a console there watches.
    std::unique_ptr<dashboard::DebugRelay> debugRelay_;
    // The dashboard (roles.dashboard with a password): its backend, handler and the HTTP server the
    // I/O threads hand /dashboard connections to (no listener of its own: same port as everything).
    std::unique_ptr<dashboard::EmbeddedBackend> dashboardBackend_;
    std::unique_ptr<dashboard::Dashboard> dashboard_;
    std::unique_ptr<service::HttpService> dashboardService_;
    void createDashboard(const ServerRoles& roles);
    std::vector<std::unique_ptr<IoThread>> threads_;
    std::chrono::system_clock::time_point startedAt_ = std::chrono::system_clock::now();
    void startScaleOut();
    std::uint16_t port_ = 0;
};

// Threads to run: the configured number, or one per core.
unsigned ioThreadCount(const config::ServerConfig& server);

}  // namespace resound::edge
