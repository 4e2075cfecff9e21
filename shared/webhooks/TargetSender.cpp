#include "webhooks/TargetSender.h"

#include <spdlog/spdlog.h>

namespace resound::webhooks {

using Clock = std::chrono::steady_clock;

std::string redactedUrl(const std::string& url) {
    const std::size_t scheme = url.find("://");
    if (scheme == std::string::npos) return "?";
    const std::size_t authorityStart = scheme + 3;
    const std::size_t pathStart = std::min(url.find_first_of("/?#", authorityStart), url.size());
    std::string authority = url.substr(authorityStart, pathStart - authorityStart);
    if (const std::size_t at = authority.rfind('@'); at != std::string::npos) authority.erase(0, at + 1);
    const std::size_t pathEnd = std::min(url.find_first_of("?#", pathStart), url.size());
    return url.substr(0, authorityStart) + authority + url.substr(pathStart, pathEnd - pathStart);
}

TargetSender::TargetSender(std::size_t app, std::string name, std::unique_ptr<HttpPoster> poster,
                           RetryPolicy retry, std::size_t queueLimit, WebhookMetrics& metrics)
    : app_(app),
      name_(std::move(name)),
      poster_(std::move(poster)),
      retry_(retry),
      queueLimit_(queueLimit),
      metrics_(metrics) {}

TargetSender::~TargetSender() { stop(); }

void TargetSender::start() {
    if (!thread_.joinable()) thread_ = std::thread([this] { run(); });
}

void TargetSender::stop() {
    std::size_t abandoned = 0;
    {
        std::lock_guard lock(mutex_);
        if (stopping_ && !thread_.joinable()) return;
        stopping_ = true;
        abandoned = queue_.size();
        queue_.clear();
    }
    if (abandoned > 0) {
        metrics_.countDropped(app_, DropReason::Shutdown, abandoned);
        metrics_.app(app_).queued.fetch_sub(static_cast<std::int64_t>(abandoned), std::memory_order_relaxed);
    }
    wake_.notify_all();
    poster_->abort();
    if (thread_.joinable()) thread_.join();
}

bool TargetSender::enqueue(Delivery delivery) {
    {
        std::lock_guard lock(mutex_);
        if (!stopping_ && queue_.size() < queueLimit_) {
            queue_.push_back(std::move(delivery));
            warnedFull_ = false;
            metrics_.app(app_).queued.fetch_add(1, std::memory_order_relaxed);
            wake_.notify_one();
            return true;
        }
        if (!stopping_ && !warnedFull_) {
            warnedFull_ = true;
            spdlog::warn("webhook queue full, dropping new requests app={} url={} limit={}",
                         metrics_.app(app_).id, name_, queueLimit_);
        }
    }
    metrics_.countDropped(app_, DropReason::QueueFull);
    return false;
}

std::size_t TargetSender::queued() const {
    std::lock_guard lock(mutex_);
    return queue_.size();
}

bool TargetSender::waitUntil(Clock::time_point deadline) {
    std::unique_lock lock(mutex_);
    return !wake_.wait_until(lock, deadline, [&] { return stopping_; });
}

void TargetSender::run() {
    for (;;) {
        Delivery delivery;
        {
            std::unique_lock lock(mutex_);
            wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
            if (stopping_) return;
            delivery = std::move(queue_.front());
            queue_.pop_front();
        }
        metrics_.app(app_).queued.fetch_sub(1, std::memory_order_relaxed);
        deliver(delivery);
    }
}

void TargetSender::deliver(Delivery& delivery) {
    WebhookMetrics::App& counters = metrics_.app(app_);
    // The window runs from the request's creation, so time spent queued behind a failing request
    // counts: during an outage the queue drains instead of every request waiting out its own window.
    if (retry_.window.count() > 0 && Clock::now() - delivery.built > retry_.window) {
        metrics_.countDropped(app_, DropReason::Expired);
        return;
    }
    for (int failures = 0;;) {
        if (failures > 0) counters.retried.fetch_add(1, std::memory_order_relaxed);
        const PostResult result = poster_->post(delivery.request);
        if (result.delivered()) {
            metrics_.countDelivered(
                app_, delivery.events,
                std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - delivery.built));
            if (failures > 0)
                spdlog::info("webhook delivered app={} url={} attempts={}", counters.id, name_, failures + 1);
            return;
        }
        counters.failed.fetch_add(1, std::memory_order_relaxed);
        ++failures;
        const std::string why = result.status ? "status " + std::to_string(result.status) : result.error;
        const auto elapsed =
            std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - delivery.built);
        const auto delay = nextRetryDelay(retry_, failures, elapsed);
        if (!delay) {
            metrics_.countDropped(app_, DropReason::RetriesExhausted);
            spdlog::warn("webhook dropped after {} attempts in {} ms app={} url={} events={} last={}",
                         failures, elapsed.count(), counters.id, name_, delivery.events, why);
            return;
        }
        spdlog::debug("webhook attempt failed app={} url={} attempt={} retry_in_ms={} error={}", counters.id,
                      name_, failures, delay->count(), why);
        if (!waitUntil(Clock::now() + *delay)) {
            metrics_.countDropped(app_, DropReason::Shutdown);
            return;
        }
    }
}

}  // namespace resound::webhooks
