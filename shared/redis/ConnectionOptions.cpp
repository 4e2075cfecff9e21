#include "redis/ConnectionOptions.h"

namespace resound::redis {

ConnectionOptions ConnectionOptions::fromConfig(const config::RedisConfig& redis) {
    ConnectionOptions options;
    options.host = redis.host;
    options.port = redis.port;
    options.password = redis.password;
    options.db = redis.db;
    return options;
}

std::string ConnectionOptions::describe() const {
    return host + ":" + std::to_string(port) + "/" + std::to_string(db);
}

}  // namespace resound::redis
