#include "service/HealthEndpoints.h"

#include "http/ErrorBody.h"
#include "json/JsonText.h"
#include "util/Version.h"

namespace resound::service::health {

std::optional<Route> routeOf(std::string_view path) {
    if (path == "/health") return Route::Health;
    if (path == "/up") return Route::Up;
    if (path == "/ready") return Route::Ready;
    return std::nullopt;
}

bool methodAllowed(std::string_view method) { return method == "GET" || method == "HEAD"; }

Answer up() { return {200, "{\"health\":\"OK\"}"}; }

std::string healthHead(std::string_view service, bool draining) {
    std::string out = draining ? "{\"status\":\"draining\",\"service\":" : "{\"status\":\"ok\",\"service\":";
    json::appendQuoted(out, service);
    out += ",\"version\":";
    json::appendQuoted(out, kVersion);
    return out;
}

Answer ready(const std::optional<NotReady>& notReady) {
    if (!notReady) return {200, "{\"status\":\"ready\"}"};
    return {503, http::errorBody(503, notReady->message, notReady->reason)};
}

}  // namespace resound::service::health
