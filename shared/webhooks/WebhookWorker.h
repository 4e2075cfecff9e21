#pragma once
// The consumer side of webhooks in Redis mode: one thread BLPOPs the shared event list on its own Redis
// connection (reconnecting with backoff) and feeds every event into one WebhookDispatcher, which then
// applies the grace period, batching and delivery for the whole cluster. Run exactly one per cluster
// (the monitor service): two would each see only part of the leaves and joins. start()/stop() from one
// thread; stop() returns within about popTimeout + timeout.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

#include "config/Config.h"
#include "webhooks/RedisLink.h"
#include "webhooks/WebhookDispatcher.h"

namespace resound::webhooks {

struct WorkerOptions {
    std::string listKey = std::string(kWebhookEventList);
    int popTimeoutSeconds = 1;  // BLPOP's own timeout: how often stop() is noticed
    std::chrono::milliseconds timeout{3000};
};

class WebhookWorker {
  public:
    WebhookWorker(config::RedisConfig redis, WebhookDispatcher& dispatcher, WorkerOptions options = {});
    ~WebhookWorker();

    void start();
    void stop();

    std::uint64_t received() const { return received_.load(std::memory_order_relaxed); }
    std::uint64_t rejected() const {
        return rejected_.load(std::memory_order_relaxed);
    }  // unreadable or unknown app

  private:
    void run();
    bool sleepFor(std::chrono::milliseconds delay);  // false: stopping

    const config::RedisConfig redis_;
    WebhookDispatcher& dispatcher_;
    const WorkerOptions options_;
    std::atomic<bool> stopping_{false};
    std::mutex mutex_;
    std::condition_variable wake_;
    std::thread thread_;
    std::atomic<std::uint64_t> received_{0};
    std::atomic<std::uint64_t> rejected_{0};
};

}  // namespace resound::webhooks
