#include "webhooks/RedisWebhookSink.h"

#include <Poco/Exception.h>
#include <Poco/Redis/Array.h>
#include <spdlog/spdlog.h>

#include "metrics/PrometheusText.h"
#include "redis/BlockingConnection.h"
#include "webhooks/EventInterest.h"
#include "webhooks/QueuedEventCodec.h"

namespace resound::webhooks {

RedisWebhookSink::RedisWebhookSink(const std::vector<config::AppConfig>& apps, config::RedisConfig redis,
                                   RedisSinkOptions options)
    : redis_(std::move(redis)), options_(std::move(options)) {
    for (const auto& app : apps) {
        if (const std::uint32_t interest = appInterest(app))
            apps_.emplace(app.id, AppTraits{interest, app.webhookGraceMs});
    }
}

RedisWebhookSink::~RedisWebhookSink() { stop(); }

void RedisWebhookSink::start() {
    if (!thread_.joinable() && !apps_.empty()) thread_ = std::thread([this] { run(); });
}

void RedisWebhookSink::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
}

void RedisWebhookSink::emit(const config::AppConfig& app, WebhookEvent event) {
    const auto it = apps_.find(app.id);
    if (it == apps_.end() || (it->second.interest & kindBit(event.kind)) == 0) return;
    if (event.id.empty()) event.id = ids_.next();
    if (event.createdMs == 0) event.createdMs = wallClockMs();
    PushItem item{graceRole(event.kind), pairKey(app.id, event), it->second.graceMs,
                  encodeQueuedEvent(app.id, event)};
    bool wasEmpty = false;
    {
        std::lock_guard lock(mutex_);
        if (queue_.size() >= options_.localQueueLimit || stopping_) {
            dropped_.fetch_add(1, std::memory_order_relaxed);
            return;
        }
        wasEmpty = queue_.empty();
        queue_.push_back(std::move(item));
    }
    if (wasEmpty) wake_.notify_one();
}

void RedisWebhookSink::run() {
    redis::BlockingConnection connection(redis_, options_.timeout, "webhook events");
    std::vector<PushItem> batch;
    for (;;) {
        if (batch.empty()) {
            std::unique_lock lock(mutex_);
            wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
            if (queue_.empty()) return;  // stopping with nothing left
            while (!queue_.empty() && batch.size() < options_.pushBatch) {
                batch.push_back(std::move(queue_.front()));
                queue_.pop_front();
            }
        }
        try {
            connection.ensureConnected();
            const PushOutcome outcome =
                pushEvents(connection.client(), options_.keys, batch, options_.maxListLength);
            pushed_.fetch_add(batch.size(), std::memory_order_relaxed);
            batch.clear();
            trimmed_.fetch_add(static_cast<std::uint64_t>(outcome.trimmed), std::memory_order_relaxed);
            cancelled_.fetch_add(static_cast<std::uint64_t>(outcome.cancelled), std::memory_order_relaxed);
        } catch (const Poco::Exception& e) {
            const auto backoff = connection.failed(e);
            std::unique_lock lock(mutex_);
            if (stopping_) {
                dropped_.fetch_add(batch.size() + queue_.size(), std::memory_order_relaxed);
                queue_.clear();
                return;
            }
            wake_.wait_for(lock, backoff, [&] { return stopping_; });
        }
    }
}

void RedisWebhookSink::appendPrometheus(std::string& out) const {
    metrics::appendFamily(out, "resound_webhook_events_forwarded_total", "counter",
                          "Webhook events pushed to Redis for the webhook worker.");
    out += "resound_webhook_events_forwarded_total " + std::to_string(pushed()) + "\n";
    metrics::appendFamily(out, "resound_webhook_events_forward_dropped_total", "counter",
                          "Webhook events dropped on the way to Redis (local queue full, or trimmed from the "
                          "Redis list while no worker drained it).");
    out += "resound_webhook_events_forward_dropped_total{reason=\"local_queue_full\"} " +
           std::to_string(dropped()) + "\n";
    out += "resound_webhook_events_forward_dropped_total{reason=\"list_trimmed\"} " +
           std::to_string(trimmed()) + "\n";
    metrics::appendFamily(
        out, "resound_webhook_grace_cancelled_total", "counter",
        "Leave/join pairs this node's joins cancelled within the grace period (nothing sent).");
    out += "resound_webhook_grace_cancelled_total " + std::to_string(cancelled()) + "\n";
}

}  // namespace resound::webhooks
