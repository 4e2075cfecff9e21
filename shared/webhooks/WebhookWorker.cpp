#include "webhooks/WebhookWorker.h"

#include <Poco/Exception.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <stdexcept>

#include "metrics/PrometheusText.h"
#include "redis/BlockingConnection.h"
#include "util/ProcessId.h"
#include "webhooks/QueuedEventCodec.h"

namespace resound::webhooks {

WebhookWorker::WebhookWorker(config::RedisConfig redis, WebhookDispatcher& dispatcher, WorkerOptions options)
    : redis_(std::move(redis)),
      dispatcher_(dispatcher),
      options_(std::move(options)),
      senderId_(options_.senderId.empty() ? util::uniqueProcessId("sender") : options_.senderId) {
    const auto roundFor = options_.timeout + options_.pollInterval;
    if (options_.leaseTtl <= roundFor) {
        // The sender could never claim: every claim must end before its lease could run out.
        throw std::invalid_argument("webhook sender lease (" + std::to_string(options_.leaseTtl.count()) +
                                    " ms) must be longer than a claim round (" +
                                    std::to_string(roundFor.count()) + " ms)");
    }
}

WebhookWorker::~WebhookWorker() { stop(); }

void WebhookWorker::start() {
    if (!thread_.joinable()) thread_ = std::thread([this] { run(); });
}

void WebhookWorker::beginStop() { claiming_ = false; }

void WebhookWorker::stop() {
    claiming_ = false;
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
}

std::int64_t WebhookWorker::claimed() const { return settled_->inHand.load(std::memory_order_relaxed); }

bool WebhookWorker::sleepFor(std::chrono::milliseconds delay) {
    std::unique_lock lock(mutex_);
    return !wake_.wait_for(lock, delay, [&] { return stopping_.load(); });
}

bool WebhookWorker::keepLease(Poco::Redis::Client& client, LeaseTerm& term, SenderLease& lease) {
    const auto roundFor = options_.timeout + options_.pollInterval;
    auto now = LeaseTerm::Clock::now();
    if (term.renewDue(now)) {
        const bool wasSender = term.held(now);
        if (lease.acquireOrRenew(client)) {
            term.granted(now);
            if (!wasSender) {
                takeovers_.fetch_add(1, std::memory_order_relaxed);
                // Whatever another sender claimed and did not settle is ours to do now, first.
                const std::int64_t moved = requeueClaimed(client, options_.keys, senderId_, true);
                if (moved > 0)
                    requeued_.fetch_add(static_cast<std::uint64_t>(moved), std::memory_order_relaxed);
                spdlog::info("webhook worker {}: now the cluster's webhook sender ({} events taken over)",
                             senderId_, moved > 0 ? moved : 0);
            }
        } else {
            term.lost();
            if (wasSender) {
                spdlog::warn("webhook worker {}: lost the sender lease to {}; standing by", senderId_,
                             lease.holder(client));
            }
        }
        now = LeaseTerm::Clock::now();
    }
    const bool mayClaim = term.mayPop(now, roundFor);
    sender_.store(term.held(now), std::memory_order_relaxed);
    return mayClaim;
}

std::size_t WebhookWorker::claim(Poco::Redis::Client& client, LeaseTerm& term) {
    const std::int64_t inHand = settled_->inHand.load(std::memory_order_relaxed);
    const auto room = static_cast<std::int64_t>(options_.maxClaimed) - inHand;
    const std::size_t max = claiming_ && room > 0
                                ? std::min<std::size_t>(options_.claimBatch, static_cast<std::size_t>(room))
                                : 0;
    ClaimOutcome outcome = claimEvents(client, options_.keys, senderId_, max);
    if (!outcome.leaseHeld) {
        term.lost();  // another sender holds it; keepLease() finds out whom
        sender_.store(false, std::memory_order_relaxed);
        return 0;
    }
    waiting_.store(outcome.waiting, std::memory_order_relaxed);
    inGrace_.store(outcome.inGrace, std::memory_order_relaxed);
    for (std::string& entry : outcome.entries) {
        received_.fetch_add(1, std::memory_order_relaxed);
        auto queued = decodeQueuedEvent(entry);
        settled_->inHand.fetch_add(1, std::memory_order_relaxed);
        {
            std::lock_guard lock(settled_->mutex);
            settled_->held.insert(entry);
        }
        auto receipt = std::make_shared<EventReceipt>([settled = settled_, entry] {
            std::lock_guard lock(settled->mutex);
            if (const auto it = settled->held.find(entry); it != settled->held.end()) settled->held.erase(it);
            settled->entries.push_back(entry);
            settled->inHand.fetch_sub(1, std::memory_order_relaxed);
            settled->total.fetch_add(1, std::memory_order_relaxed);
        });
        if (!queued || !dispatcher_.emit(queued->appId, std::move(queued->event), std::move(receipt))) {
            // Unknown app (configs differ between edge and worker), unreadable entry, or intake full:
            // the receipt went with it, so the entry is removed (nobody could ever send it).
            rejected_.fetch_add(1, std::memory_order_relaxed);
        }
    }
    return outcome.entries.size();
}

void WebhookWorker::flushSettled(Poco::Redis::Client& client) {
    std::vector<std::string> entries;
    {
        std::lock_guard lock(settled_->mutex);
        entries.swap(settled_->entries);
    }
    if (entries.empty()) return;
    try {
        settleEvents(client, options_.keys, senderId_, entries);
    } catch (...) {
        // Put them back for the next round (after the reconnect).
        std::lock_guard lock(settled_->mutex);
        settled_->entries.insert(settled_->entries.end(), entries.begin(), entries.end());
        throw;
    }
}

void WebhookWorker::reconcile(Poco::Redis::Client& client) {
    std::vector<std::string> lost;
    const std::vector<std::string> inRedis = claimedEntries(client, options_.keys, senderId_);
    {
        std::lock_guard lock(settled_->mutex);
        for (const auto& entry : inRedis) {
            const bool settledNotFlushed = std::find(settled_->entries.begin(), settled_->entries.end(),
                                                     entry) != settled_->entries.end();
            if (!settled_->held.count(entry) && !settledNotFlushed) lost.push_back(entry);
        }
    }
    const std::int64_t moved = requeueEntries(client, options_.keys, senderId_, lost);
    if (moved > 0) {
        requeued_.fetch_add(static_cast<std::uint64_t>(moved), std::memory_order_relaxed);
        spdlog::warn("webhook worker {}: {} claims whose reply was lost put back in the queue", senderId_,
                     moved);
    }
}

void WebhookWorker::windDown(Poco::Redis::Client& client, const LeaseTerm& term, SenderLease& lease) {
    try {
        flushSettled(client);
        // Everything claimed and not settled goes back to the head of the queue: the next sender
        // starts with it (requests abandoned in flight may have reached the receiver: same ids).
        const std::int64_t moved = requeueClaimed(client, options_.keys, senderId_, false);
        if (moved > 0) {
            requeued_.fetch_add(static_cast<std::uint64_t>(moved), std::memory_order_relaxed);
            spdlog::info("webhook worker {}: handed {} unsettled events back to the queue", senderId_, moved);
        }
        if (term.held(LeaseTerm::Clock::now())) {
            lease.release(client);
            spdlog::info("webhook worker {}: released the sender lease", senderId_);
        }
    } catch (const Poco::Exception& e) {
        spdlog::warn(
            "webhook worker {}: could not hand over through Redis (a standby takes over, and what this "
            "sender held, when its lease runs out): {}",
            senderId_, e.displayText());
    }
}

void WebhookWorker::run() {
    redis::BlockingConnection connection(redis_, options_.timeout, "webhook worker");
    Poco::Redis::Client& client = connection.client();
    SenderLease lease(options_.keys.lease, senderId_, options_.leaseTtl);
    LeaseTerm term(options_.leaseTtl);
    while (!stopping_) {
        try {
            connection.ensureConnected([this](Poco::Redis::Client& c) { reconcile(c); });
            const bool mayClaim = keepLease(client, term, lease);
            flushSettled(client);
            std::size_t got = 0;
            if (mayClaim) got = claim(client, term);
            if (got == 0 && !sleepFor(isSender() ? options_.pollInterval : options_.standbyRetry)) break;
        } catch (const Poco::Exception& e) {
            // Without Redis the lease cannot be renewed: stop counting on it (a standby may take it
            // once it runs out); re-acquiring renews it if it is still ours.
            term.lost();
            sender_.store(false, std::memory_order_relaxed);
            if (!sleepFor(connection.failed(e))) break;
        }
    }
    if (!connection.connected()) {
        try {
            connection.ensureConnected();
        } catch (const Poco::Exception&) {
            // Reported by windDown's absence below.
        }
    }
    if (connection.connected()) {
        windDown(client, term, lease);
    } else {
        spdlog::warn(
            "webhook worker {}: Redis unreachable at stop; a standby takes over when the lease runs out",
            senderId_);
    }
    sender_.store(false, std::memory_order_relaxed);
}

void WebhookWorker::appendPrometheus(std::string& out) const {
    const auto line = [&out](const char* name, const char* type, const char* help, const std::string& value) {
        metrics::appendFamily(out, name, type, help);
        out += name;
        out += ' ';
        out += value;
        out += '\n';
    };
    line("resound_webhook_sender_active", "gauge",
         "1 while this process holds the cluster's webhook sender lease.", isSender() ? "1" : "0");
    line("resound_webhook_sender_takeovers_total", "counter", "Times this process became the webhook sender.",
         std::to_string(takeovers()));
    line("resound_webhook_events_received_total", "counter", "Webhook events claimed from the Redis queue.",
         std::to_string(received()));
    line("resound_webhook_events_rejected_total", "counter",
         "Claimed events that could not be dispatched (unreadable, unknown app, or intake full).",
         std::to_string(rejected()));
    line("resound_webhook_events_claimed", "gauge",
         "Events this sender claimed and has not settled yet (kept in Redis until then).",
         std::to_string(claimed()));
    line("resound_webhook_events_settled_total", "counter",
         "Claimed events whose outcome is final (delivered, or dropped for good), removed from Redis.",
         std::to_string(settled_->total.load(std::memory_order_relaxed)));
    line("resound_webhook_events_requeued_total", "counter",
         "Unsettled events this process put back at the head of the queue: a dead sender's when it took "
         "over, its own when it stopped.",
         std::to_string(requeued()));
    metrics::appendFamily(out, "resound_webhook_events_pending", "gauge",
                          "Events in Redis waiting for a sender (queued), or leaves in their grace period "
                          "(grace), as the sender last saw them.");
    out += "resound_webhook_events_pending{state=\"queued\"} " +
           std::to_string(waiting_.load(std::memory_order_relaxed)) + "\n";
    out += "resound_webhook_events_pending{state=\"grace\"} " +
           std::to_string(inGrace_.load(std::memory_order_relaxed)) + "\n";
}

}  // namespace resound::webhooks
