#include "redis/CachedEventRead.h"

#include <cstdint>

#include "redis/KeySchema.h"

namespace resound::redis {

CachedEventRead::CachedEventRead(std::string_view appId, std::string_view channel)
    : key_(keys::cache(appId, channel)) {
    get_ = {"GET", key_};
    pttl_ = {"PTTL", key_};
}

std::optional<state::CachedEvent> CachedEventRead::event(RespValue value, const RespValue& ttl) const {
    // An error (e.g. WRONGTYPE) is no answer, not "nothing kept".
    if (value.isError() || ttl.isError())
        throw state::StateUnavailable("the cached event could not be read from Redis");
    // -2: the key expired between the GET and the PTTL.
    if (value.type != RespValue::Type::BulkString || !ttl.isInteger() || ttl.integer == -2)
        return std::nullopt;
    // Rounded up like InMemoryClusterState: TTL 60 reads 60 until a full second has passed.
    const std::int64_t ms = ttl.integer;
    const int seconds = ms > 0 ? static_cast<int>((ms + 999) / 1000) : 0;
    return state::CachedEvent{std::move(value.text), seconds};
}

}  // namespace resound::redis
