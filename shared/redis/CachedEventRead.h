#pragma once
// The reads behind a cache channel's kept event: GET of its cache key and PTTL of the same key.
// RedisClusterState (the blocking client) and LoopClusterReads (an event loop's link) both send these
// and read the answers here, so the two cannot drift.
// Holds its own key: the commands stay valid as long as the object (not copyable).
#include <array>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "redis/RespValue.h"
#include "state/ClusterState.h"

namespace resound::redis {

class CachedEventRead {
  public:
    CachedEventRead(std::string_view appId, std::string_view channel);
    CachedEventRead(const CachedEventRead&) = delete;
    CachedEventRead& operator=(const CachedEventRead&) = delete;

    std::span<const std::string_view> valueCommand() const { return get_; }  // GET
    std::span<const std::string_view> ttlCommand() const { return pttl_; }   // PTTL

    // The kept event from the two replies, in that order (the value's text is moved out); nullopt when
    // none is kept. Throws state::StateUnavailable when Redis answered either with an error.
    std::optional<state::CachedEvent> event(RespValue value, const RespValue& ttl) const;

  private:
    std::string key_;
    std::array<std::string_view, 2> get_{};
    std::array<std::string_view, 2> pttl_{};
};

}  // namespace resound::redis
