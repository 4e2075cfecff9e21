#include "redis/ConnectionCountRead.h"

#include <algorithm>
#include <cstdint>

#include "redis/KeySchema.h"
#include "state/ClusterState.h"

namespace resound::redis {

ConnectionCountRead::ConnectionCountRead(std::string_view appId) : key_(keys::connections(appId)) {
    get_ = {"GET", key_};
}

std::size_t ConnectionCountRead::count(const RespValue& reply) const {
    if (reply.type == RespValue::Type::NullBulk) return 0;
    const auto count = reply.asInteger();
    if (!count) throw state::StateUnavailable("the connection count could not be read from Redis");
    return static_cast<std::size_t>(std::max<std::int64_t>(0, *count));
}

}  // namespace resound::redis
