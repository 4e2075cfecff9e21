#pragma once
// The reads behind one channel's counts: HGET of the app's channel-count hash (subscriptions, kept by
// the cluster scripts) and HLEN of the channel's presence hash (distinct users). RedisClusterState
// (the blocking client, GET /channels/{name}) and LoopClusterReads::channel (an event loop's link: the
// same GET, and the `info` of a publish, which LoopPublisher reads in the publish's own round trip)
// both send these and read the answers here, so the two cannot drift.
// Holds its own keys: the commands stay valid as long as the object (not copyable).
#include <array>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "redis/RespValue.h"
#include "state/ClusterState.h"

namespace resound::redis {

class ChannelCountsRead {
  public:
    ChannelCountsRead(std::string_view appId, std::string_view channel);
    ChannelCountsRead(const ChannelCountsRead&) = delete;
    ChannelCountsRead& operator=(const ChannelCountsRead&) = delete;

    const std::string& channel() const { return channel_; }
    std::span<const std::string_view> subscriptionsCommand() const { return hget_; }  // HGET
    std::span<const std::string_view> usersCommand() const { return hlen_; }          // HLEN

    // The channel's counts from the two replies, in that order; nullopt when nobody is subscribed.
    // Throws state::StateUnavailable when Redis answered with an error.
    std::optional<state::ChannelSummary> summary(const RespValue& subscriptions,
                                                 const RespValue& users) const;

  private:
    std::string channel_;
    std::string countsKey_;
    std::string presenceKey_;
    std::array<std::string_view, 3> hget_{};
    std::array<std::string_view, 2> hlen_{};
};

}  // namespace resound::redis
