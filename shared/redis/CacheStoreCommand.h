#pragma once
// The command that keeps a cache channel's last event in Redis: SET {key} {event JSON} EX {ttl}, or
// DEL {key} when the TTL is 0 or less (the event is not kept). RedisClusterState (the blocking
// client) and LoopPublisher (an event loop's link) both send this, so what they store cannot drift.
// Holds its own key and TTL text: args() stays valid as long as the object (not copyable).
#include <array>
#include <cstddef>
#include <span>
#include <string>
#include <string_view>

namespace resound::redis {

class CacheStoreCommand {
  public:
    CacheStoreCommand(std::string_view appId, std::string_view channel, std::string_view eventJson,
                      int ttlSeconds);
    CacheStoreCommand(const CacheStoreCommand&) = delete;
    CacheStoreCommand& operator=(const CacheStoreCommand&) = delete;

    std::span<const std::string_view> args() const { return {args_.data(), count_}; }

  private:
    std::string key_;
    std::string ttl_;
    std::array<std::string_view, 5> args_{};
    std::size_t count_ = 0;
};

}  // namespace resound::redis
