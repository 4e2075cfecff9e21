#include "webhooks/WebhookWorker.h"

#include <Poco/Exception.h>
#include <Poco/Redis/Array.h>
#include <spdlog/spdlog.h>

#include "webhooks/QueuedEventCodec.h"

namespace resound::webhooks {

WebhookWorker::WebhookWorker(config::RedisConfig redis, WebhookDispatcher& dispatcher, WorkerOptions options)
    : redis_(std::move(redis)), dispatcher_(dispatcher), options_(std::move(options)) {}

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

void WebhookWorker::run() {
    Poco::Redis::Client client;
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
            Poco::Redis::Array pop;
            pop << "BLPOP" << options_.listKey << std::to_string(options_.popTimeoutSeconds);
            const auto reply = client.execute<Poco::Redis::Array>(pop);
            if (reply.isNull() || reply.size() < 2) continue;
            const auto value = reply.get<Poco::Redis::BulkString>(1);
            if (value.isNull()) continue;
            received_.fetch_add(1, std::memory_order_relaxed);
            auto queued = decodeQueuedEvent(value.value());
            if (!queued || !dispatcher_.emit(queued->appId, std::move(queued->event))) {
                // Unknown app (configs differ between edge and worker), unreadable entry, or intake full.
                rejected_.fetch_add(1, std::memory_order_relaxed);
            }
        } catch (const Poco::Exception& e) {
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
}

}  // namespace resound::webhooks
