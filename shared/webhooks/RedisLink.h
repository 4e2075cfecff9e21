#pragma once
// Opens the webhook pipeline's own Redis connections (RedisWebhookSink, WebhookWorker): connect with a
// timeout, AUTH when a password is configured, SELECT the db. Throws Poco::Exception on failure. The
// caller's thread only. Also the reconnect backoff both sides share.
#include <Poco/Redis/Client.h>

#include <chrono>
#include <string_view>

#include "config/Config.h"

namespace resound::webhooks {

void connectRedis(Poco::Redis::Client& client, const config::RedisConfig& redis,
                  std::chrono::milliseconds timeout);

// 100 ms doubling to 5 s: a restarting Redis is picked up quickly, a dead one is not hammered.
std::chrono::milliseconds nextReconnectDelay(std::chrono::milliseconds previous);

}  // namespace resound::webhooks
