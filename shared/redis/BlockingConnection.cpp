#include "redis/BlockingConnection.h"

#include <Poco/Exception.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Redis/Array.h>
#include <spdlog/spdlog.h>

namespace resound::redis {

void connectBlocking(Poco::Redis::Client& client, const config::RedisConfig& redis,
                     std::chrono::milliseconds timeout) {
    const Poco::Timespan span(static_cast<Poco::Timespan::TimeDiff>(timeout.count()) * 1000);
    const std::string path = redis.unixSocketPath();
    if (path.empty()) {
        client.connect(redis.host, redis.port, span);
    } else {
        client.connect(Poco::Net::SocketAddress(Poco::Net::SocketAddress::UNIX_LOCAL, path), span);
    }
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

BlockingConnection::BlockingConnection(const config::RedisConfig& redis, std::chrono::milliseconds timeout,
                                       std::string name)
    : redis_(redis), timeout_(timeout), name_(std::move(name)) {}

bool BlockingConnection::ensureConnected(const std::function<void(Poco::Redis::Client&)>& onConnect) {
    if (connected_) return false;
    connectBlocking(client_, redis_, timeout_);
    client_.setReceiveTimeout(Poco::Timespan(static_cast<Poco::Timespan::TimeDiff>(timeout_.count()) * 1000));
    connected_ = true;
    if (onConnect) onConnect(client_);
    if (warned_) spdlog::info("{}: reconnected to Redis {}", name_, redis_.describe());
    warned_ = false;
    backoff_.reset();
    return true;
}

std::chrono::milliseconds BlockingConnection::failed(const Poco::Exception& error) {
    if (!warned_) {
        spdlog::warn("{}: Redis {} unavailable, retrying: {}", name_, redis_.describe(), error.displayText());
        warned_ = true;
    }
    try {
        client_.disconnect();
    } catch (const Poco::Exception&) {
        // Already gone.
    }
    connected_ = false;
    return backoff_.next();
}

}  // namespace resound::redis
