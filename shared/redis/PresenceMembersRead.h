#pragma once
// The reads behind a presence channel's roster: ZRANGE of its join order and HGETALL of its members'
// user_info. RedisClusterState (the blocking client) and LoopClusterReads (an event loop's link) both
// send these and read the answers here, so the two cannot drift.
// Holds its own keys: the commands stay valid as long as the object (not copyable).
#include <array>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "redis/RespValue.h"
#include "state/ClusterState.h"

namespace resound::redis {

class PresenceMembersRead {
  public:
    PresenceMembersRead(std::string_view appId, std::string_view channel);
    PresenceMembersRead(const PresenceMembersRead&) = delete;
    PresenceMembersRead& operator=(const PresenceMembersRead&) = delete;

    std::span<const std::string_view> orderCommand() const { return zrange_; }  // ZRANGE
    std::span<const std::string_view> infoCommand() const { return hgetall_; }  // HGETALL

    // The members in join order from the two replies, in that order. A user in the order without
    // user_info (it left between the two reads) is left out. Throws state::StateUnavailable when a
    // reply is not a list (an error reply included).
    std::vector<state::PresenceMember> members(const RespValue& order, const RespValue& info) const;

  private:
    std::string orderKey_;
    std::string infoKey_;
    std::array<std::string_view, 4> zrange_{};
    std::array<std::string_view, 2> hgetall_{};
};

}  // namespace resound::redis
