#pragma once
// Whether a request that asks for a WebSocket is accepted, and if not, the answer: the one
// implementation of the edge's upgrade rules (RFC 6455 4.2.1 plus where Pusher clients connect).
// Pure functions: safe from any thread. Reading the request and writing the answer are the caller's.
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "http/Request.h"

namespace resound::ws {

// What the serving process contributes to the decision.
struct UpgradeEndpoint {
    bool servesWebSockets = true;  // false: an HTTP-API-only process (resound-api) answers every upgrade 404
    std::string_view pathPrefix;   // server.path_prefix: /app/{key} is served with and without it
};

struct UpgradeDecision {
    int status = 101;         // 101 accepted; else the status of the refusal (404, 405, 426, 400)
    std::string_view appKey;  // accepted: {key} of /app/{key}, a view into the request's path
    std::string acceptKey;    // accepted: the Sec-WebSocket-Accept value
    std::string body;         // refused: the JSON error body
    std::vector<std::pair<std::string, std::string>> headers;  // refused: Allow, Sec-WebSocket-Version
    bool accepted() const { return status == 101; }
};

// For a request with "Upgrade: websocket" and "Connection: upgrade" (http::Request::isWebSocketUpgrade();
// one without them is plain HTTP and routed as such). Checked in this order, the first failure answers:
// path /app/{key} (404), method GET (405), Sec-WebSocket-Version 13 (426), a valid Sec-WebSocket-Key (400).
UpgradeDecision checkUpgrade(const http::Request& request, const UpgradeEndpoint& endpoint);

// {key} when `path` is /app/{key} (after the prefix, if it has it): a non-empty key without '/'.
std::optional<std::string_view> appKeyOfPath(std::string_view path, std::string_view pathPrefix);

}  // namespace resound::ws
