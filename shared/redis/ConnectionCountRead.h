#pragma once
// The read behind an app's connection count: GET of its connection counter (kept by the cluster
// scripts). RedisClusterState (the blocking client) and LoopClusterReads (an event loop's link) both
// send it and read the answer here, so the two cannot drift.
// Holds its own key: the command stays valid as long as the object (not copyable).
#include <array>
#include <cstddef>
#include <span>
#include <string>
#include <string_view>

#include "redis/RespValue.h"

namespace resound::redis {

class ConnectionCountRead {
  public:
    explicit ConnectionCountRead(std::string_view appId);
    ConnectionCountRead(const ConnectionCountRead&) = delete;
    ConnectionCountRead& operator=(const ConnectionCountRead&) = delete;

    std::span<const std::string_view> command() const { return get_; }  // GET

    // The count from the reply: nil (no connection ever counted) is 0, a negative count 0. Throws
    // state::StateUnavailable when the reply is not a number (an error reply included).
    std::size_t count(const RespValue& reply) const;

  private:
    std::string key_;
    std::array<std::string_view, 2> get_{};
};

}  // namespace resound::redis
