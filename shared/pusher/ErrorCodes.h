#pragma once
// Pusher protocol error / close codes (docs/protocol.md §1.13). 4000-4099: do not reconnect with the same
// parameters; 4100-4199: reconnect after backoff; 4200-4299: reconnect now; 4300-4399: connection stays.
#include <cstdint>

namespace resound::pusher::code {
constexpr std::uint16_t ApplicationDoesNotExist = 4001;
constexpr std::uint16_t ApplicationDisabled = 4003;
constexpr std::uint16_t OverConnectionQuota = 4004;
constexpr std::uint16_t PathNotFound = 4005;
constexpr std::uint16_t InvalidVersionString = 4006;
constexpr std::uint16_t UnsupportedProtocolVersion = 4007;
constexpr std::uint16_t NoProtocolVersion = 4008;
constexpr std::uint16_t Unauthorized = 4009;
constexpr std::uint16_t OverCapacity = 4100;
constexpr std::uint16_t ReconnectNow = 4200;  // also: invalid message format (as Reverb), server shutdown
constexpr std::uint16_t PongNotReceived = 4201;
constexpr std::uint16_t ClosedAfterInactivity = 4202;
constexpr std::uint16_t ClientEventRejected = 4301;
constexpr std::uint16_t WatchlistLimit = 4302;
}  // namespace resound::pusher::code
