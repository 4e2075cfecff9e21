#include "edge/HttpRouter.h"

#include "http/ErrorBody.h"
#include "http/PathPrefix.h"
#include "http/QueryString.h"
#include "json/JsonText.h"
#include "service/HealthEndpoints.h"
#include "util/Version.h"

namespace resound::edge {

namespace {

HttpResponse json(int status, std::string body) {
    return HttpResponse{status, "application/json", std::move(body), {}};
}

HttpResponse json(service::health::Answer answer) { return json(answer.status, std::move(answer.body)); }

HttpResponse apiAnswer(api::ApiResponse r) {
    return HttpResponse{r.status, "application/json", std::move(r.body), std::move(r.headers)};
}

HttpResponse errorResponse(int status, std::string_view message) {
    return json(status, http::errorBody(status, message));
}

}  // namespace

HttpRouter::HttpRouter(const config::ServerConfig& server, ServerRoles roles, api::ApiHandler& api,
                       metrics::Metrics& metrics, const std::atomic<bool>& draining)
    : server_(server), roles_(roles), api_(api), metrics_(metrics), draining_(draining) {}

std::string_view HttpRouter::stripPrefix(std::string_view path) const {
    return http::stripPathPrefix(path, server_.pathPrefix);
}

HttpResponse HttpRouter::health() const {
    auto uptime =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - startedAt_);
    std::string body = service::health::healthHead(roles_.serviceName, draining_);
    body += ",\"uptime_seconds\":" + std::to_string(uptime.count()) +
            ",\"connections\":" + std::to_string(metrics_.connections()) + "}";
    return json(200, std::move(body));
}

std::optional<HttpResponse> HttpRouter::route(const http::Request& request, api::LoopBackend& backend,
                                              std::function<void(HttpResponse)> complete) {
    const std::string_view path = stripPrefix(request.path);
    if (!roles_.httpApi || path.substr(0, 6) != "/apps/") return route(request);
    auto answered = api_.handle(request, path, http::parseQuery(request.query), backend,
                                [this, complete = std::move(complete)](api::ApiResponse r) {
                                    metrics_.countApiResponse(r.status);
                                    complete(apiAnswer(std::move(r)));
                                });
    if (!answered) return std::nullopt;
    metrics_.countApiResponse(answered->status);
    return apiAnswer(std::move(*answered));
}

HttpResponse HttpRouter::route(const http::Request& request) {
    std::string_view path = stripPrefix(request.path);
    if (path.substr(0, 6) == "/apps/") {
        if (!roles_.httpApi) {
            return errorResponse(404, "This is a WebSocket edge: send HTTP API requests to the api service");
        }
        api::ApiResponse r = api_.handle(request, path);
        metrics_.countApiResponse(r.status);
        return apiAnswer(std::move(r));
    }
    const bool readOnly = request.method == "GET" || request.method == "HEAD";
    auto onlyGet = [&]() {
        HttpResponse r = errorResponse(405, "Use GET for this path");
        r.headers.emplace_back("Allow", "GET, HEAD");
        return r;
    };
    if (path == "/health") return readOnly ? health() : onlyGet();
    if (path == "/up") return readOnly ? json(service::health::up()) : onlyGet();
    if (path == "/ready") {
        if (!readOnly) return onlyGet();
        auto notReady = service::health::drainingReason(draining_);
        if (!notReady && readiness_) {
            if (auto reason = readiness_()) notReady = service::health::NotReady{"not_ready", *reason};
        }
        return json(service::health::ready(notReady));
    }
    if (path == "/metrics") {
        if (!readOnly) return onlyGet();
        std::string body = metrics_.renderPrometheus();
        for (const auto& append : metricsSources_) append(body);
        return HttpResponse{200, "text/plain; version=0.0.4", std::move(body), {}};
    }
    if (path == "/") {
        return readOnly ? json(200, "{\"name\":\"resound\",\"version\":" + json::quoted(kVersion) + "}")
                        : onlyGet();
    }
    return errorResponse(404, "Not found: the API is under /apps/{app_id}/, WebSockets under /app/{key}");
}

}  // namespace resound::edge
