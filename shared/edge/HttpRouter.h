#pragma once
// Routes plain HTTP requests that arrive on the shared port: the Pusher HTTP API (/apps/...), Reverb's
// /up, /health, /ready and /metrics (WebSocket upgrades are decided by ws::checkUpgrade). Stateless
// apart from its references; any loop thread.
#include <atomic>
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/ApiHandler.h"
#include "config/Config.h"
#include "edge/HttpResponse.h"
#include "http/RequestParser.h"
#include "metrics/Metrics.h"

namespace resound::edge {

// What one process serves on its port: the all-in-one server does both; in the scale-out bundle the
// edge serves WebSockets and the api service the HTTP API.
struct ServerRoles {
    bool webSocket = true;
    bool httpApi = true;
    const char* serviceName = "resound";
    bool dashboard = false;  // serves /dashboard when dashboard.password is set (the all-in-one server)
};

class HttpRouter {
  public:
    HttpRouter(const config::ServerConfig& server, ServerRoles roles, api::ApiHandler& api,
               metrics::Metrics& metrics, const std::atomic<bool>& draining);

    HttpResponse route(const http::Request& request);
    // The same for a loop that publishes through its own backend (the bundle's api service): an API
    // publish returns nullopt and its answer goes to `complete` later, on the backend's loop.
    std::optional<HttpResponse> route(const http::Request& request, api::LoopBackend& backend,
                                      std::function<void(HttpResponse)> complete);
    // Text appended to /metrics after the server's own families (e.g. the webhook dispatcher's).
    // Before the I/O threads start; the callbacks run on loop threads.
    // Extra readiness condition (scale-out: Redis connected); returns why not ready, or nullopt.
    void setReadinessCheck(std::function<std::optional<std::string>()> check) {
        readiness_ = std::move(check);
    }
    const char* serviceName() const { return roles_.serviceName; }
    void addMetricsSource(std::function<void(std::string&)> append) {
        metricsSources_.push_back(std::move(append));
    }
    // False in an HTTP-API-only process: WebSocket upgrades are refused (ws::checkUpgrade).
    bool servesWebSockets() const { return roles_.webSocket; }

  private:
    std::string_view stripPrefix(std::string_view path) const;
    HttpResponse health() const;

    const config::ServerConfig& server_;
    ServerRoles roles_;
    api::ApiHandler& api_;
    metrics::Metrics& metrics_;
    const std::atomic<bool>& draining_;
    std::vector<std::function<void(std::string&)>> metricsSources_;
    std::chrono::steady_clock::time_point startedAt_ = std::chrono::steady_clock::now();
    std::function<std::optional<std::string>()> readiness_;
};

}  // namespace resound::edge
