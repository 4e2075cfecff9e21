#pragma once
// Server -> client Pusher messages as JSON text, shaped as hosted Pusher sends them (docs/protocol.md §1.2):
// `data` is a JSON-encoded string for connection/subscription/member/channel events, an object for
// pusher:error and pusher:signin_success. Any thread.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "state/ClusterState.h"

namespace resound::pusher::messages {

std::string connectionEstablished(std::string_view socketId, int activityTimeoutSeconds);
// code nullopt -> "code":null (Pusher allows it for errors without a close meaning).
std::string error(std::optional<std::uint16_t> code, std::string_view message);
std::string ping();
std::string pong();
std::string subscriptionSucceeded(std::string_view channel);
std::string presenceSubscriptionSucceeded(std::string_view channel,
                                          const std::vector<state::PresenceMember>& members);
std::string memberAdded(std::string_view channel, const state::PresenceMember& member);
std::string memberRemoved(std::string_view channel, const state::PresenceMember& member);
// Received by the channel's binding, so Laravel Echo's .error() callback fires (docs/protocol.md §1.8).
std::string subscriptionError(std::string_view channel, std::string_view type, std::string_view error,
                              int status);
std::string cacheMiss(std::string_view channel);
std::string signinSuccess(std::string_view userData);
std::string subscriptionCount(std::string_view channel, std::size_t count);
// A channel event: `dataJson` is already JSON (a quoted string or an object, as the sender gave it).
std::string channelEvent(std::string_view event, std::string_view channel, std::string_view dataJson,
                         std::string_view userId = {});

}  // namespace resound::pusher::messages
