#include "monitor/MonitorEndpoints.h"

#include "service/HealthEndpoints.h"

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
    const auto healthRoute = service::health::routeOf(path);
    if (!healthRoute && path != "/metrics") {
        return service::jsonError(404, "not_found", "no such endpoint (/health, /ready, /metrics)");
    }
    if (!service::health::methodAllowed(request.method)) {
        service::HttpReply reply = service::jsonError(405, "method_not_allowed", "use GET");
        reply.headers.emplace_back("Allow", "GET, HEAD");
        return reply;
    }
    const auto reply = [](service::health::Answer answer) {
        return service::HttpReply{answer.status, "application/json", std::move(answer.body), {}};
    };
    if (healthRoute == service::health::Route::Up) return reply(service::health::up());

    const ClusterPoller::View view = view_();
    const MonitorState state = stateOf(view);
    if (healthRoute == service::health::Route::Health) {
        return {200, "application/json", renderHealthJson(view.snapshot, options_, state), {}};
    }
    if (path == "/metrics") {
        std::string text = renderPrometheus(view.snapshot, options_, state);
        if (extraMetrics_) extraMetrics_(text);
        return {200, "text/plain; version=0.0.4", std::move(text), {}};
    }
    // /ready
    auto notReady = service::health::drainingReason(state.draining);
    if (!notReady && !view.everRead)
        notReady = service::health::NotReady{"starting", "first read of Redis not finished yet"};
    if (!notReady && !view.snapshot.redisUp)
        notReady = service::health::NotReady{"redis_down", view.snapshot.redisError};
    return reply(service::health::ready(notReady));
}

}  // namespace resound::monitor
