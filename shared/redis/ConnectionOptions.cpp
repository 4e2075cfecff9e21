#include "redis/ConnectionOptions.h"

#include <netdb.h>
#include <sys/socket.h>

#include "redis/RespCommand.h"

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

std::size_t ConnectionOptions::appendHandshake(std::string& out) const {
    std::size_t replies = 0;
    if (!password.empty()) {
        appendCommand(out, {"AUTH", password});
        ++replies;
    }
    if (db != 0) {
        appendCommand(out, {"SELECT", std::to_string(db)});
        ++replies;
    }
    return replies;
}

void AddressListDeleter::operator()(addrinfo* list) const {
    if (list) ::freeaddrinfo(list);
}

AddressList resolveAddresses(const ConnectionOptions& options, std::string& error) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV;
    addrinfo* found = nullptr;
    const int rc = ::getaddrinfo(options.host.c_str(), std::to_string(options.port).c_str(), &hints, &found);
    if (rc != 0 || !found) {
        error = std::string("resolve ") + options.host + ": " + ::gai_strerror(rc);
        if (found) ::freeaddrinfo(found);
        return nullptr;
    }
    return AddressList(found);
}

}  // namespace resound::redis
