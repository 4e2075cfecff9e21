#include "redis/CacheStoreCommand.h"

#include "redis/KeySchema.h"

namespace resound::redis {

CacheStoreCommand::CacheStoreCommand(std::string_view appId, std::string_view channel,
                                     std::string_view eventJson, int ttlSeconds)
    : key_(keys::cache(appId, channel)) {
    if (ttlSeconds <= 0) {
        args_ = {"DEL", key_};
        count_ = 2;
        return;
    }
    ttl_ = std::to_string(ttlSeconds);
    args_ = {"SET", key_, eventJson, "EX", ttl_};
    count_ = 5;
}

}  // namespace resound::redis
