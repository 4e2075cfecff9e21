#pragma once
// The consumer side of webhooks in Redis mode: one thread BLPOPs the shared event list on its own Redis
// connection (reconnecting with backoff) and feeds every event into one WebhookDispatcher, which then
// applies the grace period, batching and delivery for the whole cluster.
//
// Any number of workers may run (one per resound-monitor replica); a SenderLease makes exactly one of
// them the sender. The others stand by and try to take the lease every standbyRetry; the sender renews
// it every third of its ttl and pops only while the lease certainly outlasts the pop (LeaseTerm), so
// after it dies or loses Redis a standby takes over within about ttl + standbyRetry, and at once after
// a clean stop (the lease is released). Each list entry is popped by one worker only, so no event is
// ever delivered twice; events pushed while no one is the sender wait in the list (capped by the edges).
// start()/stop() from one thread; stop() returns within about popTimeout + timeout.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

#include "config/Config.h"
#include "webhooks/LeaseTerm.h"
#include "webhooks/RedisLink.h"
#include "webhooks/SenderLease.h"
#include "webhooks/WebhookDispatcher.h"

namespace resound::webhooks {

struct WorkerOptions {
    std::string listKey = std::string(kWebhookEventList);
    int popTimeoutSeconds = 1;  // BLPOP's own timeout: how often stop() and the lease are looked at
    std::chrono::milliseconds timeout{3000};
    std::string leaseKey = std::string(kWebhookSenderLease);
    std::chrono::milliseconds leaseTtl{10000};
    std::chrono::milliseconds standbyRetry{1000};  // a standby's interval between takeover attempts
    std::string senderId;                          // empty: util::uniqueProcessId("sender")
};

class WebhookWorker {
  public:
    // Throws std::invalid_argument when the lease is not longer than one pop (popTimeout + timeout).
    WebhookWorker(config::RedisConfig redis, WebhookDispatcher& dispatcher, WorkerOptions options = {});
    ~WebhookWorker();

    void start();
    void stop();  // releases the lease when it holds it

    std::uint64_t received() const { return received_.load(std::memory_order_relaxed); }
    std::uint64_t rejected() const {
        return rejected_.load(std::memory_order_relaxed);
    }  // unreadable or unknown app
    bool isSender() const { return sender_.load(std::memory_order_relaxed); }
    std::uint64_t takeovers() const { return takeovers_.load(std::memory_order_relaxed); }
    const std::string& senderId() const { return senderId_; }
    void appendPrometheus(std::string& out) const;

  private:
    void run();
    // Acquires or renews the lease when due; returns whether an event may be popped now.
    bool keepLease(Poco::Redis::Client& client, LeaseTerm& term, SenderLease& lease);
    void popOne(Poco::Redis::Client& client);
    bool sleepFor(std::chrono::milliseconds delay);  // false: stopping

    const config::RedisConfig redis_;
    WebhookDispatcher& dispatcher_;
    const WorkerOptions options_;
    const std::string senderId_;
    std::atomic<bool> stopping_{false};
    std::mutex mutex_;
    std::condition_variable wake_;
    std::thread thread_;
    std::atomic<std::uint64_t> received_{0};
    std::atomic<std::uint64_t> rejected_{0};
    std::atomic<bool> sender_{false};
    std::atomic<std::uint64_t> takeovers_{0};
};

}  // namespace resound::webhooks
