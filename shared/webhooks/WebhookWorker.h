#pragma once
// The sender side of webhooks in Redis mode: one thread claims events from the cluster's webhook queue
// (WebhookQueue: atomically, into this sender's claimed set in Redis) on its own connection
// (reconnecting with backoff) and feeds them into one WebhookDispatcher, each with a receipt; when the
// receipt settles (every request carrying the event got a 2xx, or was dropped for good) the entry is
// removed from Redis. Until then it stays there: a sender that dies leaves it for the next one.
//
// Any number of workers may run (one per resound-monitor replica); a SenderLease makes exactly one of
// them the sender, and the claim script checks it. The others stand by and try to take the lease every
// standbyRetry; the sender renews it every third of its ttl. A worker that takes the lease first puts
// every other sender's claimed entries back at the head of the queue (a crashed sender's work is
// redone: at least once, receivers drop repeats by the event id). On a clean stop: beginStop() stops
// claiming while the dispatcher finishes its requests in flight; stop() then removes what settled,
// puts the rest back at the head of the queue and releases the lease, so a standby continues at once.
// Claims are bounded (maxClaimed unsettled events in hand); the rest waits in Redis.
// start()/beginStop()/stop() from one thread.
#include <Poco/Redis/Client.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_set>
#include <vector>

#include "config/Config.h"
#include "webhooks/LeaseTerm.h"
#include "webhooks/SenderLease.h"
#include "webhooks/WebhookDispatcher.h"
#include "webhooks/WebhookQueue.h"

namespace resound::webhooks {

struct WorkerOptions {
    WebhookKeys keys = WebhookKeys::withPrefix(kWebhookKeyPrefix);
    std::chrono::milliseconds pollInterval{100};  // idle: how often new entries and due leaves are looked for
    std::size_t claimBatch = 100;                 // entries per claim
    std::size_t maxClaimed = 10000;               // unsettled events in hand; more wait in Redis
    std::chrono::milliseconds timeout{3000};
    std::chrono::milliseconds leaseTtl{10000};
    std::chrono::milliseconds standbyRetry{1000};  // a standby's interval between takeover attempts
    std::string senderId;                          // empty: util::uniqueProcessId("sender")
};

class WebhookWorker {
  public:
    // Throws std::invalid_argument when the lease is not longer than one claim round
    // (timeout + pollInterval).
    WebhookWorker(config::RedisConfig redis, WebhookDispatcher& dispatcher, WorkerOptions options = {});
    ~WebhookWorker();

    void start();
    void beginStop();  // claims nothing more; settled entries are still removed
    void stop();       // puts unsettled claims back, releases the lease when it holds it

    std::uint64_t received() const { return received_.load(std::memory_order_relaxed); }
    std::uint64_t rejected() const {
        return rejected_.load(std::memory_order_relaxed);
    }  // unreadable or unknown app
    std::uint64_t requeued() const { return requeued_.load(std::memory_order_relaxed); }
    std::int64_t claimed() const;  // in hand, not settled yet
    bool isSender() const { return sender_.load(std::memory_order_relaxed); }
    std::uint64_t takeovers() const { return takeovers_.load(std::memory_order_relaxed); }
    const std::string& senderId() const { return senderId_; }
    void appendPrometheus(std::string& out) const;

  private:
    // Shared with the receipts, which may outlive the worker.
    struct Settled {
        std::mutex mutex;
        std::vector<std::string> entries;           // settled, not yet removed from Redis
        std::unordered_multiset<std::string> held;  // claimed and not settled (what Redis should hold)
        std::atomic<std::int64_t> inHand{0};
        std::atomic<std::uint64_t> total{0};
    };

    void run();
    // Acquires or renews the lease when due; returns whether a claim may run now.
    bool keepLease(Poco::Redis::Client& client, LeaseTerm& term, SenderLease& lease);
    // Claims and dispatches; returns how many entries were claimed.
    std::size_t claim(Poco::Redis::Client& client, LeaseTerm& term);
    void flushSettled(Poco::Redis::Client& client);
    // After a reconnect: claims whose reply was lost (in Redis, not in hand) go back to the queue.
    void reconcile(Poco::Redis::Client& client);
    void windDown(Poco::Redis::Client& client, const LeaseTerm& term, SenderLease& lease);
    bool sleepFor(std::chrono::milliseconds delay);  // false: stopping

    const config::RedisConfig redis_;
    WebhookDispatcher& dispatcher_;
    const WorkerOptions options_;
    const std::string senderId_;
    std::shared_ptr<Settled> settled_ = std::make_shared<Settled>();
    std::atomic<bool> stopping_{false};
    std::atomic<bool> claiming_{true};
    std::mutex mutex_;
    std::condition_variable wake_;
    std::thread thread_;
    std::atomic<std::uint64_t> received_{0};
    std::atomic<std::uint64_t> rejected_{0};
    std::atomic<std::uint64_t> requeued_{0};
    std::atomic<std::int64_t> waiting_{0};  // in the Redis list at the last claim
    std::atomic<std::int64_t> inGrace_{0};  // leaves in their grace period at the last claim
    std::atomic<bool> sender_{false};
    std::atomic<std::uint64_t> takeovers_{0};
};

}  // namespace resound::webhooks
