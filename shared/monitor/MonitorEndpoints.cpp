#include "monitor/MonitorEndpoints.h"

namespace resound::monitor {

MonitorEndpoints::MonitorEndpoints(ViewSource view, ReportOptions options, MetricsSource extraMetrics)
    : view_(std::move(view)), options_(options), extraMetrics_(std::move(extraMetrics)) {}

MonitorState MonitorEndpoints::stateOf(const ClusterPoller::View& view) const {
    MonitorState state;
    state.redisReconnects = view.reconnects;
    state.redisFailures = view.failures;
    state.snapshotAgeSeconds = view.ageSeconds;
    state.draining = draining_.load(std::memory_order_relaxed);
    return state;
}

service::HttpReply MonitorEndpoints::handle(const service::HttpExchange& request) const {
    const std::string& path = request.path;
    const bool known = path == "/health" || path == "/up" || path == "/ready" || path == "/metrics";
    if (!known) return service::jsonError(404, "not_found", "no such endpoint (/health, /ready, /metrics)");
    if (request.method != "GET" && request.method != "HEAD") {
        service::HttpReply reply = service::jsonError(405, "method_not_allowed", "use GET");
        reply.headers.emplace_back("Allow", "GET, HEAD");
        return reply;
    }
    if (path == "/up") return {200, "application/json", "{\"health\":\"OK\"}", {}};

    const ClusterPoller::View view = view_();
    const MonitorState state = stateOf(view);
    if (path == "/health") return {200, "application/json", renderHealthJson(view.snapshot, options_, state), {}};
    if (path == "/metrics") {
        std::string text = renderPrometheus(view.snapshot, options_, state);
        if (extraMetrics_) extraMetrics_(text);
        return {200, "text/plain; version=0.0.4", std::move(text), {}};
    }
    // /ready
    if (state.draining) return service::jsonError(503, "draining", "shutting down");
    if (!view.everRead) return service::jsonError(503, "starting", "first read of Redis not finished yet");
    if (!view.snapshot.redisUp) return service::jsonError(503, "redis_down", view.snapshot.redisError);
    return {200, "application/json", "{\"status\":\"ready\"}", {}};
}

}  // namespace resound::monitor
