#pragma once
// A blocking Poco::Redis::Client for a thread off any event loop: the webhook pipeline
// (RedisWebhookSink, WebhookWorker) and the monitor's RedisNodeReader. The loop clients of the redis
// module use RedisConnection instead (error values rather than exceptions, deadlines); this one lives
// in a module of its own (redis_blocking) so that only its users link Poco::Redis.
//
// connectBlocking opens one: connect with a timeout over TCP or the configured Unix socket, AUTH when
// a password is configured, SELECT the db; throws Poco::Exception. BlockingConnection is the reconnect
// block around one: connect when needed, log an outage once and its end, wait ReconnectBackoff
// between attempts. The owner's thread only.
#include <Poco/Redis/Client.h>

#include <chrono>
#include <functional>
#include <string>

#include "config/Config.h"
#include "redis/ReconnectBackoff.h"

namespace resound::redis {

void connectBlocking(Poco::Redis::Client& client, const config::RedisConfig& redis,
                     std::chrono::milliseconds timeout);

class BlockingConnection {
  public:
    // `name` starts the log lines ("webhook events", "webhook worker"). `redis` is kept by reference:
    // it must outlive this object.
    BlockingConnection(const config::RedisConfig& redis, std::chrono::milliseconds timeout, std::string name);

    Poco::Redis::Client& client() { return client_; }
    bool connected() const { return connected_; }

    // Connects (with `timeout` as the receive timeout too) unless connected, then runs `onConnect`
    // (e.g. a reconciliation) before counting the connection as back. True when it just connected.
    // Throws Poco::Exception; call failed() then.
    bool ensureConnected(const std::function<void(Poco::Redis::Client&)>& onConnect = {});
    // After a failed connect or command: logs the outage (once), drops the connection and returns
    // the wait before the next attempt.
    std::chrono::milliseconds failed(const Poco::Exception& error);

  private:
    const config::RedisConfig& redis_;
    const std::chrono::milliseconds timeout_;
    const std::string name_;
    Poco::Redis::Client client_;
    ReconnectBackoff backoff_;
    bool connected_ = false;
    bool warned_ = false;
};

}  // namespace resound::redis
