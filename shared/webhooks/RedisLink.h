#pragma once
// The webhook pipeline's own Redis connections (RedisWebhookSink, WebhookWorker): blocking Poco
// clients on their owner's thread. connectRedis opens one (connect with a timeout over TCP or the
// configured Unix socket, AUTH when a password is configured, SELECT the db; throws Poco::Exception);
// the monitor's node reader uses it too. RedisSession is the reconnect block
// both share: connect when needed, log an outage once and its end, wait redis::ReconnectBackoff
// between attempts. The owner's thread only.
#include <Poco/Redis/Client.h>

#include <chrono>
#include <functional>
#include <string>

#include "config/Config.h"
#include "redis/ReconnectBackoff.h"

namespace resound::webhooks {

void connectRedis(Poco::Redis::Client& client, const config::RedisConfig& redis,
                  std::chrono::milliseconds timeout);

class RedisSession {
  public:
    // `name` starts the log lines ("webhook events", "webhook worker").
    RedisSession(const config::RedisConfig& redis, std::chrono::milliseconds timeout, std::string name);

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
    redis::ReconnectBackoff backoff_;
    bool connected_ = false;
    bool warned_ = false;
};

}  // namespace resound::webhooks
