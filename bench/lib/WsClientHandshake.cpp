#include "WsClientHandshake.h"

#include <cctype>

#include "crypto/Base64.h"
#include "websocket/Handshake.h"

namespace resound::bench {
namespace {

constexpr std::size_t kMaxHead = 16 * 1024;

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
            return false;
    }
    return true;
}

bool containsTokenIgnoreCase(std::string_view list, std::string_view token) {
    std::size_t start = 0;
    while (start <= list.size()) {
        std::size_t end = list.find(',', start);
        if (end == std::string_view::npos) end = list.size();
        std::string_view item = list.substr(start, end - start);
        while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
        while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
        if (equalsIgnoreCase(item, token)) return true;
        start = end + 1;
    }
    return false;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
    return s;
}

}  // namespace

std::string makeWebSocketKey(std::uint64_t high, std::uint64_t low) {
    std::string raw(16, '\0');
    for (int i = 0; i < 8; ++i) {
        raw[static_cast<std::size_t>(i)] = static_cast<char>(high >> (56 - 8 * i));
        raw[static_cast<std::size_t>(8 + i)] = static_cast<char>(low >> (56 - 8 * i));
    }
    return crypto::base64Encode(raw);
}

std::string expectedAcceptFor(std::string_view key) { return ws::computeAcceptKey(key); }

std::string buildUpgradeRequest(std::string_view hostHeader, std::string_view target, std::string_view key) {
    std::string out;
    out.reserve(200 + target.size());
    out += "GET ";
    out += target;
    out += " HTTP/1.1\r\nHost: ";
    out += hostHeader;
    out += "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ";
    out += key;
    out += "\r\nSec-WebSocket-Version: 13\r\n\r\n";
    return out;
}

UpgradeResponse parseUpgradeResponse(std::string_view bytes, std::string_view key) {
    UpgradeResponse result;
    const std::size_t end = bytes.find("\r\n\r\n");
    if (end == std::string_view::npos) {
        if (bytes.size() > kMaxHead) {
            result.status = UpgradeStatus::Rejected;
            result.problem = "response head too large";
        }
        return result;
    }
    result.headLength = end + 4;
    std::string_view head = bytes.substr(0, end);
    result.status = UpgradeStatus::Rejected;

    std::size_t lineEnd = head.find("\r\n");
    std::string_view statusLine = head.substr(0, lineEnd);
    if (statusLine.size() < 12 || statusLine.substr(0, 5) != "HTTP/") {
        result.problem = "malformed status line";
        return result;
    }
    const std::size_t space = statusLine.find(' ');
    if (space == std::string_view::npos || space + 4 > statusLine.size()) {
        result.problem = "malformed status line";
        return result;
    }
    for (std::size_t i = space + 1; i < space + 4; ++i) {
        if (!std::isdigit(static_cast<unsigned char>(statusLine[i]))) {
            result.problem = "malformed status code";
            return result;
        }
        result.httpStatus = result.httpStatus * 10 + (statusLine[i] - '0');
    }
    if (result.httpStatus != 101) {
        result.problem = "status " + std::to_string(result.httpStatus);
        return result;
    }

    bool upgradeOk = false, connectionOk = false, acceptOk = false;
    const std::string expected = expectedAcceptFor(key);
    std::size_t pos = lineEnd == std::string_view::npos ? head.size() : lineEnd + 2;
    while (pos < head.size()) {
        std::size_t next = head.find("\r\n", pos);
        if (next == std::string_view::npos) next = head.size();
        std::string_view line = head.substr(pos, next - pos);
        pos = next + 2;
        const std::size_t colon = line.find(':');
        if (colon == std::string_view::npos) continue;
        std::string_view name = trim(line.substr(0, colon));
        std::string_view value = trim(line.substr(colon + 1));
        if (equalsIgnoreCase(name, "upgrade")) upgradeOk = equalsIgnoreCase(value, "websocket");
        else if (equalsIgnoreCase(name, "connection"))
            connectionOk = containsTokenIgnoreCase(value, "upgrade");
        else if (equalsIgnoreCase(name, "sec-websocket-accept")) acceptOk = value == expected;
    }
    if (!upgradeOk) result.problem = "missing Upgrade: websocket";
    else if (!connectionOk) result.problem = "missing Connection: Upgrade";
    else if (!acceptOk) result.problem = "wrong or missing Sec-WebSocket-Accept";
    else result.status = UpgradeStatus::Accepted;
    return result;
}

}  // namespace resound::bench
