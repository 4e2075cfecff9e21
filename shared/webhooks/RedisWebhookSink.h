#pragma once
// The edge side of webhooks in Redis mode: emit() (loop threads, never blocks beyond a short lock)
// gives the event its id and creation time and encodes it with its app id into a bounded local queue;
// one thread pushes them in batches into the cluster's webhook queue (WebhookQueue: the grace period
// is applied there, in Redis, so it sees every node's leaves and joins), which is trimmed to a maximum
// length, reconnecting with backoff. A batch whose push failed is pushed again (a push whose answer was
// lost may land twice: same ids). The one sending WebhookWorker claims from there. start()/stop() from
// one thread.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "config/Config.h"
#include "webhooks/EventIds.h"
#include "webhooks/WebhookQueue.h"
#include "webhooks/WebhookSink.h"

namespace resound::webhooks {

struct RedisSinkOptions {
    WebhookKeys keys = WebhookKeys::withPrefix(kWebhookKeyPrefix);
    std::size_t localQueueLimit = 100000;  // events waiting for Redis; beyond: dropped, counted
    std::size_t maxListLength = 100000;    // the list is trimmed to its newest entries (worker down)
    std::size_t pushBatch = 256;           // events per RPUSH
    std::chrono::milliseconds timeout{3000};
};

class RedisWebhookSink final : public WebhookSink {
  public:
    RedisWebhookSink(const std::vector<config::AppConfig>& apps, config::RedisConfig redis,
                     RedisSinkOptions options = {});
    ~RedisWebhookSink() override;

    void start();
    void stop();  // pushes what it can within one attempt, drops the rest (counted)

    void emit(const config::AppConfig& app, WebhookEvent event) override;

    std::uint64_t pushed() const { return pushed_.load(std::memory_order_relaxed); }
    std::uint64_t dropped() const { return dropped_.load(std::memory_order_relaxed); }  // local queue full
    std::uint64_t trimmed() const { return trimmed_.load(std::memory_order_relaxed); }  // list over its cap
    std::uint64_t cancelled() const { return cancelled_.load(std::memory_order_relaxed); }  // grace pairs
    void appendPrometheus(std::string& out) const;

  private:
    void run();

    const config::RedisConfig redis_;
    const RedisSinkOptions options_;
    struct AppTraits {
        std::uint32_t interest = 0;  // kinds wanted
        int graceMs = 0;
    };
    std::unordered_map<std::string, AppTraits> apps_;  // by app id
    EventIds ids_;

    std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<PushItem> queue_;
    bool stopping_ = false;
    std::thread thread_;

    std::atomic<std::uint64_t> pushed_{0};
    std::atomic<std::uint64_t> dropped_{0};
    std::atomic<std::uint64_t> trimmed_{0};
    std::atomic<std::uint64_t> cancelled_{0};
};

}  // namespace resound::webhooks
