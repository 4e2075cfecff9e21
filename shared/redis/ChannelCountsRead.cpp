#include "redis/ChannelCountsRead.h"

#include <algorithm>
#include <cstdint>

#include "redis/KeySchema.h"

namespace resound::redis {

ChannelCountsRead::ChannelCountsRead(std::string_view appId, std::string_view channel)
    : channel_(channel), countsKey_(keys::channels(appId)), presenceKey_(keys::presence(appId, channel)) {
    hget_ = {"HGET", countsKey_, channel_};
    hlen_ = {"HLEN", presenceKey_};
}

std::optional<state::ChannelSummary> ChannelCountsRead::summary(const RespValue& subscriptions,
                                                                const RespValue& users) const {
    if (subscriptions.isError() || !users.isInteger())
        throw state::StateUnavailable("the channel could not be read from Redis");
    // Nil (nobody holds the channel) and anything but a positive count read as unoccupied.
    const auto count = subscriptions.asInteger();
    if (!count || *count <= 0) return std::nullopt;
    return state::ChannelSummary{channel_, static_cast<std::size_t>(*count),
                                 static_cast<std::size_t>(std::max<std::int64_t>(0, users.integer))};
}

}  // namespace resound::redis
