#include "websocket/UpgradeCheck.h"

#include "http/ErrorBody.h"
#include "http/PathPrefix.h"
#include "websocket/Handshake.h"

namespace resound::ws {
namespace {

UpgradeDecision refuse(int status, std::string_view message,
                       std::vector<std::pair<std::string, std::string>> headers = {}) {
    UpgradeDecision decision;
    decision.status = status;
    decision.body = http::errorBody(status, message);
    decision.headers = std::move(headers);
    return decision;
}

}  // namespace

std::optional<std::string_view> appKeyOfPath(std::string_view path, std::string_view pathPrefix) {
    path = http::stripPathPrefix(path, pathPrefix);
    constexpr std::string_view kApp = "/app/";
    if (path.substr(0, kApp.size()) != kApp) return std::nullopt;
    const std::string_view key = path.substr(kApp.size());
    if (key.empty() || key.find('/') != std::string_view::npos) return std::nullopt;
    return key;
}

UpgradeDecision checkUpgrade(const http::Request& request, const UpgradeEndpoint& endpoint) {
    const auto appKey =
        endpoint.servesWebSockets ? appKeyOfPath(request.path, endpoint.pathPrefix) : std::nullopt;
    if (!appKey) return refuse(404, "WebSocket connections go to /app/{key}");
    if (request.method != "GET") return refuse(405, "WebSocket upgrades use GET", {{"Allow", "GET"}});
    const std::string* version = request.header("sec-websocket-version");
    if (!version || *version != "13") {
        return refuse(426, "Only WebSocket version 13 is supported", {{"Sec-WebSocket-Version", "13"}});
    }
    const std::string* key = request.header("sec-websocket-key");
    if (!key || !isValidClientKey(*key)) return refuse(400, "Missing or invalid Sec-WebSocket-Key");

    UpgradeDecision decision;
    decision.appKey = *appKey;
    decision.acceptKey = computeAcceptKey(*key);
    return decision;
}

}  // namespace resound::ws
