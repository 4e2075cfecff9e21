#pragma once
// Event-name rules shared by the HTTP API (`name` of a published event) and client events: Pusher's
// 200-character limit. Pure, any thread.
#include <cstddef>
#include <string_view>

namespace resound::pusher {

inline constexpr std::size_t kMaxEventNameLength = 200;

inline bool eventNameWithinLimit(std::string_view name) { return name.size() <= kMaxEventNameLength; }

}  // namespace resound::pusher
