#include "webhooks/RedisLink.h"

#include <Poco/Redis/Array.h>

#include <algorithm>

namespace resound::webhooks {

void connectRedis(Poco::Redis::Client& client, const config::RedisConfig& redis,
                  std::chrono::milliseconds timeout) {
    const Poco::Timespan span(static_cast<Poco::Timespan::TimeDiff>(timeout.count()) * 1000);
    client.connect(redis.host, redis.port, span);
    if (!redis.password.empty()) {
        Poco::Redis::Array auth;
        auth << "AUTH" << redis.password;
        client.execute<std::string>(auth);
    }
    if (redis.db != 0) {
        Poco::Redis::Array select;
        select << "SELECT" << std::to_string(redis.db);
        client.execute<std::string>(select);
    }
}

std::chrono::milliseconds nextReconnectDelay(std::chrono::milliseconds previous) {
    using std::chrono::milliseconds;
    return previous.count() <= 0 ? milliseconds(100) : std::min(previous * 2, milliseconds(5000));
}

}  // namespace resound::webhooks
