#pragma once
// The socket id: its format (checked by the HTTP API's `socket_id`, resound-auth and the edge's
// exclusion of a publisher) and the ids this server hands out. Pure functions, any thread.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace resound::pusher {

// No id we issue is longer than 21 characters; the cap keeps junk out of logs and signatures.
inline constexpr std::size_t kMaxSocketIdLength = 64;

struct SocketId {
    std::uint32_t high = 0;
    std::uint32_t low = 0;
    friend bool operator==(const SocketId&, const SocketId&) = default;
};

// "<digits>.<digits>" (the SDKs' /\A\d+\.\d+\z/), at most kMaxSocketIdLength characters.
bool isValidSocketId(std::string_view text);

// A valid socket id whose halves fit 32 bits (every id this server issues does); nullopt otherwise,
// which matches no connection.
std::optional<SocketId> parseSocketId(std::string_view text);

std::string toString(SocketId id);  // "123.456"

// A new connection's id: two halves drawn from 1..1,000,000,000 with OpenSSL's RAND_bytes.
SocketId randomSocketId();

}  // namespace resound::pusher
