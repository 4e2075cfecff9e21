#include "webhooks/WebhookWorker.h"

#include <Poco/Exception.h>
#include <Poco/Redis/Array.h>
#include <spdlog/spdlog.h>

#include <stdexcept>

#include "metrics/PrometheusText.h"
#include "util/ProcessId.h"
#include "webhooks/QueuedEventCodec.h"

namespace resound::webhooks {

WebhookWorker::WebhookWorker(config::RedisConfig redis, WebhookDispatcher& dispatcher, WorkerOptions options)
    : redis_(std::move(redis)),
      dispatcher_(dispatcher),
      options_(std::move(options)),
      senderId_(options_.senderId.empty() ? util::uniqueProcessId("sender") : options_.senderId) {
    const auto popFor = options_.timeout + std::chrono::seconds(options_.popTimeoutSeconds);
    if (options_.leaseTtl <= popFor) {
        // The sender could never pop: every pop must end before its lease could run out.
        throw std::invalid_argument("webhook sender lease (" + std::to_string(options_.leaseTtl.count()) +
                                    " ms) must be longer than a pop (" + std::to_string(popFor.count()) +
                                    " ms)");
    }
}

WebhookWorker::~WebhookWorker() { stop(); }

void WebhookWorker::start() {
    if (!thread_.joinable()) thread_ = std::thread([this] { run(); });
}

void WebhookWorker::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
}

bool WebhookWorker::sleepFor(std::chrono::milliseconds delay) {
    std::unique_lock lock(mutex_);
    return !wake_.wait_for(lock, delay, [&] { return stopping_.load(); });
}

bool WebhookWorker::keepLease(Poco::Redis::Client& client, LeaseTerm& term, SenderLease& lease) {
    const auto popFor = options_.timeout + std::chrono::seconds(options_.popTimeoutSeconds);
    auto now = LeaseTerm::Clock::now();
    if (term.renewDue(now)) {
        const bool wasSender = term.held(now);
        if (lease.acquireOrRenew(client)) {
            term.granted(now);
            if (!wasSender) {
                takeovers_.fetch_add(1, std::memory_order_relaxed);
                spdlog::info("webhook worker {}: now the cluster's webhook sender", senderId_);
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
    const bool mayPop = term.mayPop(now, popFor);
    sender_.store(term.held(now), std::memory_order_relaxed);
    return mayPop;
}

void WebhookWorker::popOne(Poco::Redis::Client& client) {
    Poco::Redis::Array pop;
    pop << "BLPOP" << options_.listKey << std::to_string(options_.popTimeoutSeconds);
    const auto reply = client.execute<Poco::Redis::Array>(pop);
    if (reply.isNull() || reply.size() < 2) return;
    const auto value = reply.get<Poco::Redis::BulkString>(1);
    if (value.isNull()) return;
    received_.fetch_add(1, std::memory_order_relaxed);
    auto queued = decodeQueuedEvent(value.value());
    if (!queued || !dispatcher_.emit(queued->appId, std::move(queued->event))) {
        // Unknown app (configs differ between edge and worker), unreadable entry, or intake full.
        rejected_.fetch_add(1, std::memory_order_relaxed);
    }
}

void WebhookWorker::run() {
    Poco::Redis::Client client;
    SenderLease lease(options_.leaseKey, senderId_, options_.leaseTtl);
    LeaseTerm term(options_.leaseTtl);
    bool connected = false;
    bool warned = false;
    std::chrono::milliseconds backoff{0};
    const auto receiveTimeout = options_.timeout + std::chrono::seconds(options_.popTimeoutSeconds);
    while (!stopping_) {
        try {
            if (!connected) {
                connectRedis(client, redis_, options_.timeout);
                client.setReceiveTimeout(
                    Poco::Timespan(static_cast<Poco::Timespan::TimeDiff>(receiveTimeout.count()) * 1000));
                connected = true;
                if (warned)
                    spdlog::info("webhook worker: reconnected to Redis {}:{}", redis_.host, redis_.port);
                warned = false;
                backoff = std::chrono::milliseconds(0);
            }
            if (keepLease(client, term, lease)) {
                popOne(client);
            } else if (!sleepFor(options_.standbyRetry)) {
                break;
            }
        } catch (const Poco::Exception& e) {
            // Without Redis the lease cannot be renewed: stop counting on it (a standby may take it
            // once it runs out); re-acquiring renews it if it is still ours.
            term.lost();
            sender_.store(false, std::memory_order_relaxed);
            if (!warned) {
                spdlog::warn("webhook worker: Redis {}:{} unavailable, retrying: {}", redis_.host,
                             redis_.port, e.displayText());
                warned = true;
            }
            try {
                client.disconnect();
            } catch (const Poco::Exception&) {
                // Already gone.
            }
            connected = false;
            backoff = nextReconnectDelay(backoff);
            if (!sleepFor(backoff)) break;
        }
    }
    if (connected && term.held(LeaseTerm::Clock::now())) {
        try {
            lease.release(client);
            spdlog::info("webhook worker {}: released the sender lease", senderId_);
        } catch (const Poco::Exception& e) {
            spdlog::warn(
                "webhook worker {}: could not release the sender lease (a standby takes over "
                "when it runs out): {}",
                senderId_, e.displayText());
        }
    }
    sender_.store(false, std::memory_order_relaxed);
}

void WebhookWorker::appendPrometheus(std::string& out) const {
    metrics::appendFamily(out, "resound_webhook_sender_active", "gauge",
                          "1 while this process holds the cluster's webhook sender lease.");
    out += "resound_webhook_sender_active " + std::string(isSender() ? "1" : "0") + "\n";
    metrics::appendFamily(out, "resound_webhook_sender_takeovers_total", "counter",
                          "Times this process became the webhook sender.");
    out += "resound_webhook_sender_takeovers_total " + std::to_string(takeovers()) + "\n";
    metrics::appendFamily(out, "resound_webhook_events_received_total", "counter",
                          "Webhook events taken from the Redis list.");
    out += "resound_webhook_events_received_total " + std::to_string(received()) + "\n";
    metrics::appendFamily(out, "resound_webhook_events_rejected_total", "counter",
                          "Events from the list that could not be dispatched (unreadable, unknown app, or "
                          "intake full).");
    out += "resound_webhook_events_rejected_total " + std::to_string(rejected()) + "\n";
}

}  // namespace resound::webhooks
