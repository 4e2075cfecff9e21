#pragma once
// The edge side of webhooks in Redis mode: emit() (loop threads, never blocks beyond a short lock)
// encodes the event with its app id into a bounded local queue; one thread RPUSHes them in batches to
// the shared list (kWebhookEventList) and LTRIMs it to a maximum length, reconnecting with backoff. The
// one WebhookWorker in the cluster pops the list into the one WebhookDispatcher, so the grace period
// sees every node's leaves and joins. start()/stop() from one thread.
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
#include "webhooks/RedisLink.h"
#include "webhooks/WebhookSink.h"

namespace resound::webhooks {

struct RedisSinkOptions {
    std::string listKey = std::string(kWebhookEventList);
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
    void stop();  // pushes what it can within one attempt, drops the rest

    void emit(const config::AppConfig& app, WebhookEvent event) override;

    std::uint64_t pushed() const { return pushed_.load(std::memory_order_relaxed); }
    std::uint64_t dropped() const { return dropped_.load(std::memory_order_relaxed); }  // local queue full
    std::uint64_t trimmed() const { return trimmed_.load(std::memory_order_relaxed); }  // list over its cap
    void appendPrometheus(std::string& out) const;

  private:
    void run();

    const config::RedisConfig redis_;
    const RedisSinkOptions options_;
    std::unordered_map<std::string, std::uint32_t> interest_;  // app id -> kinds wanted

    std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<std::string> queue_;
    bool stopping_ = false;
    std::thread thread_;

    std::atomic<std::uint64_t> pushed_{0};
    std::atomic<std::uint64_t> dropped_{0};
    std::atomic<std::uint64_t> trimmed_{0};
};

}  // namespace resound::webhooks
