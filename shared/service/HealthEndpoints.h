#pragma once
// /health, /up and /ready, one implementation for every binary: the edge (edge::HttpRouter),
// resound-auth (auth::AuthVerifier) and resound-monitor (monitor::MonitorEndpoints). Each binary
// supplies what only it knows (extra /health members, whether it is ready); the paths, the methods,
// the status codes and the bodies are decided here. Socket-free, any thread.
//
//   GET /up      200 {"health":"OK"}                      (Reverb's route; liveness, nothing checked)
//   GET /health  200 {"status":"ok"|"draining","service":…,"version":…, <the binary's members>}
//   GET /ready   200 {"status":"ready"}, or 503 {"error":<text>,"code":503,"reason":<reason>} (draining,
//   Redis…)
// Other methods than GET and HEAD get the binary's 405 with "Allow: GET, HEAD".
#include <optional>
#include <string>
#include <string_view>

namespace resound::service::health {

enum class Route { Health, Up, Ready };

// The path after any configured prefix was stripped.
std::optional<Route> routeOf(std::string_view path);
bool methodAllowed(std::string_view method);  // GET, HEAD

struct Answer {
    int status = 200;
    std::string body;  // application/json
};

Answer up();

// `{"status":…,"service":…,"version":…` without the closing brace: the binary appends its members
// (",\"connections\":3") and then "}".
std::string healthHead(std::string_view service, bool draining);

struct NotReady {
    std::string reason;   // "draining", "starting", "redis_down", …
    std::string message;  // for people
};
Answer ready(const std::optional<NotReady>& notReady);

// The usual first reason: a binary that drains is not ready.
inline std::optional<NotReady> drainingReason(bool draining) {
    if (draining) return NotReady{"draining", "shutting down"};
    return std::nullopt;
}

}  // namespace resound::service::health
