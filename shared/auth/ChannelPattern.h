#pragma once
// The "channels" claim of a browser token: channel-name patterns where '*' stands for any run of
// characters (possibly none) and everything else matches itself, e.g. "private-orders.42",
// "presence-room.*", "private-encrypted-user.42.*". Pure functions, any thread.
#include <span>
#include <string>
#include <string_view>

namespace resound::auth {

bool channelMatches(std::string_view pattern, std::string_view channel);
bool anyChannelMatches(std::span<const std::string> patterns, std::string_view channel);

}  // namespace resound::auth
