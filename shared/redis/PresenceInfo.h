#pragma once
// The value stored per user in resound:{app}:presence_info:{channel}: {"id":<idJson>,"info":<infoJson>},
// with both parts exactly as the client sent them (so member_added/member_removed and the roster
// repeat them byte for byte). Pure functions, any thread.
#include <optional>
#include <string>
#include <string_view>

#include "state/ClusterState.h"

namespace resound::redis {

std::string encodePresenceInfo(const state::PresenceMember& member);

// nullopt when `stored` is not in the form encodePresenceInfo writes.
std::optional<state::PresenceMember> decodePresenceInfo(std::string_view userKey, std::string_view stored);

// decodePresenceInfo, or, when `stored` is not in that form, the user key alone (id as a JSON string,
// info null): a roster entry is never dropped for a malformed stored value.
state::PresenceMember presenceMemberOf(std::string_view userKey, std::string_view stored);

}  // namespace resound::redis
