#pragma once
// Client side of the RFC 6455 opening handshake: builds the upgrade request and checks the server's
// 101 answer (status, Upgrade, Sec-WebSocket-Accept). Pure functions on bytes, any thread.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace resound::bench {

// Base64 of 16 bytes taken from the two words: a valid Sec-WebSocket-Key.
std::string makeWebSocketKey(std::uint64_t high, std::uint64_t low);

// base64(SHA-1(key + RFC 6455 GUID)): what the server must answer in Sec-WebSocket-Accept.
std::string expectedAcceptFor(std::string_view key);

// "GET <target> HTTP/1.1" with Host, Upgrade, Connection, Sec-WebSocket-Key and -Version.
std::string buildUpgradeRequest(std::string_view hostHeader, std::string_view target, std::string_view key);

enum class UpgradeStatus { NeedMore, Accepted, Rejected };

struct UpgradeResponse {
    UpgradeStatus status = UpgradeStatus::NeedMore;
    int httpStatus = 0;
    std::size_t headLength = 0;  // bytes of the response head; WebSocket frames start right after
    std::string problem;         // why it was rejected
};

// Reads the response head at the start of `bytes` (which may hold frames after it).
// Heads larger than 16 KiB are rejected.
UpgradeResponse parseUpgradeResponse(std::string_view bytes, std::string_view key);

}  // namespace resound::bench
