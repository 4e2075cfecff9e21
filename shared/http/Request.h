#pragma once
// One parsed HTTP/1.x request as RequestParser produces it. A plain value: owned by one connection
// on one loop thread.
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace resound::http {

struct Request {
    std::string method;    // as received (methods are case-sensitive): "GET", "POST", ...
    std::string target;    // the request-target exactly as received
    std::string path;      // raw (not percent-decoded) path of the target, without the query
    std::string query;     // raw query after '?', without the '?'; empty when there is none
    int versionMinor = 1;  // HTTP/1.<versionMinor>
    std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased, values trimmed
    std::string body;

    // First header with this (lower-case) name, or nullptr.
    const std::string* header(std::string_view lowerName) const;
    // True if any header `lowerName` holds `token` in its comma-separated list (case-insensitive).
    bool headerHasToken(std::string_view lowerName, std::string_view token) const;
    // HTTP/1.1: unless "Connection: close"; HTTP/1.0: only with "Connection: keep-alive".
    bool keepAlive() const;
    // HTTP/1.1 with "Upgrade: websocket" and "Connection: upgrade" (tokens, case-insensitive).
    // The method is deliberately not checked so that the caller can answer a non-GET upgrade with 405.
    bool isWebSocketUpgrade() const;
};

}  // namespace resound::http
