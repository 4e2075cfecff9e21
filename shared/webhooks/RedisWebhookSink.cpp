#include "webhooks/RedisWebhookSink.h"

#include <Poco/Exception.h>
#include <Poco/Redis/Array.h>
#include <spdlog/spdlog.h>

#include "metrics/PrometheusText.h"
#include "webhooks/EventInterest.h"
#include "webhooks/QueuedEventCodec.h"

namespace resound::webhooks {

RedisWebhookSink::RedisWebhookSink(const std::vector<config::AppConfig>& apps, config::RedisConfig redis,
                                   RedisSinkOptions options)
    : redis_(std::move(redis)), options_(std::move(options)) {
    for (const auto& app : apps) {
        if (const std::uint32_t interest = appInterest(app)) interest_.emplace(app.id, interest);
    }
}

RedisWebhookSink::~RedisWebhookSink() { stop(); }

void RedisWebhookSink::start() {
    if (!thread_.joinable() && !interest_.empty()) thread_ = std::thread([this] { run(); });
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
    const auto it = interest_.find(app.id);
    if (it == interest_.end() || (it->second & kindBit(event.kind)) == 0) return;
    std::string encoded = encodeQueuedEvent(app.id, event);
    bool wasEmpty = false;
    {
        std::lock_guard lock(mutex_);
        if (queue_.size() >= options_.localQueueLimit || stopping_) {
            dropped_.fetch_add(1, std::memory_order_relaxed);
            return;
        }
        wasEmpty = queue_.empty();
        queue_.push_back(std::move(encoded));
    }
    if (wasEmpty) wake_.notify_one();
}

void RedisWebhookSink::run() {
    Poco::Redis::Client client;
    bool connected = false;
    bool warned = false;
    std::chrono::milliseconds backoff{0};
    std::vector<std::string> batch;
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
            if (!connected) {
                connectRedis(client, redis_, options_.timeout);
                client.setReceiveTimeout(
                    Poco::Timespan(static_cast<Poco::Timespan::TimeDiff>(options_.timeout.count()) * 1000));
                connected = true;
                if (warned)
                    spdlog::info("webhook events: reconnected to Redis {}:{}", redis_.host, redis_.port);
                warned = false;
                backoff = std::chrono::milliseconds(0);
            }
            Poco::Redis::Array push;
            push << "RPUSH" << options_.listKey;
            for (const auto& encoded : batch) push << encoded;
            const Poco::Int64 length = client.execute<Poco::Int64>(push);
            pushed_.fetch_add(batch.size(), std::memory_order_relaxed);
            batch.clear();
            const auto cap = static_cast<Poco::Int64>(options_.maxListLength);
            if (length > cap) {
                Poco::Redis::Array trim;
                trim << "LTRIM" << options_.listKey << std::to_string(-cap) << "-1";
                client.execute<std::string>(trim);
                trimmed_.fetch_add(static_cast<std::uint64_t>(length - cap), std::memory_order_relaxed);
            }
        } catch (const Poco::Exception& e) {
            if (!warned) {
                spdlog::warn("webhook events: Redis {}:{} unavailable, retrying: {}", redis_.host,
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
}

}  // namespace resound::webhooks
