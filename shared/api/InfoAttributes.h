#pragma once
// The `info` parameter of the HTTP API ("user_count,subscription_count,cache"): parsing it and
// rendering the requested attributes of one channel as JSON. Any thread.
#include <optional>
#include <string>
#include <string_view>

#include "state/ClusterState.h"

namespace resound::api {

struct InfoRequest {
    bool userCount = false;
    bool subscriptionCount = false;
    bool cache = false;
    bool any() const { return userCount || subscriptionCount || cache; }
};

// Parses a comma-separated attribute list (blank items ignored). Returns an error message, ready for
// a 400 body, for an unknown attribute or for "cache" when allowCache is false.
std::optional<std::string> parseInfo(std::string_view text, bool allowCache, InfoRequest& out);

// Appends the attributes of `summary` that `info` asks for and that apply to the channel, as JSON
// members without braces, e.g. "\"user_count\":3". user_count only for presence channels;
// subscription_count for non-presence channels unless includePresenceSubscriptions.
// Returns true if anything was appended.
bool appendCountAttributes(std::string& out, const state::ChannelSummary& summary, const InfoRequest& info,
                           bool includePresenceSubscriptions);

}  // namespace resound::api
