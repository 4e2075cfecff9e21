#pragma once
// Channel-name rules shared by the HTTP API and the WebSocket side: the kind a name's prefix
// selects, cache variants, the character set the SDKs allow and the reserved per-user channel.
// Pure functions, any thread.
#include <cstddef>
#include <optional>
#include <string_view>

namespace resound::pusher {

inline constexpr std::size_t kMaxChannelNameLength = 200;
inline constexpr std::string_view kServerToUserPrefix = "#server-to-user-";

enum class ChannelKind { Public, Private, PrivateEncrypted, Presence, ServerToUser };

// By prefix: "private-encrypted-", "private-", "presence-", "#server-to-user-"; anything else is
// public. Cache variants have their base kind ("presence-cache-x" is Presence, "cache-x" Public).
ChannelKind kindOf(std::string_view name);

// "cache-", "private-cache-", "private-encrypted-cache-" or "presence-cache-".
bool isCacheChannel(std::string_view name);

// 1..200 characters from [A-Za-z0-9_\-=@,.;]; the only name allowed to start with '#' is
// "#server-to-user-<id>" with a non-empty id made of the same characters.
bool isValidChannelName(std::string_view name);

// The user id of "#server-to-user-<id>", or nullopt for any other name (or an empty id).
std::optional<std::string_view> serverToUserId(std::string_view name);

}  // namespace resound::pusher
