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

TargetSender::TargetSender(std::size_t app, std::string name,
                           std::vector<std::unique_ptr<HttpPoster>> posters, RetryPolicy retry,
                           std::size_t queueLimit, WebhookMetrics& metrics, dashboard::DebugTap* debugTap,
                           std::string debugNode)
    : app_(app),
      name_(std::move(name)),
      posters_(std::move(posters)),
      retry_(retry),
      queueLimit_(queueLimit),
      metrics_(metrics),
      debugTap_(debugTap),
      debugNode_(std::move(debugNode)) {}

void TargetSender::report(const Delivery& delivery, const PostResult& result) const {
    if (!debugTap_ || !debugTap_->active()) return;
    const std::string& appId = metrics_.app(app_).id;
    const std::int64_t nowMs = std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count();
    for (const auto& [channel, name] : delivery.named) {
        if (!debugTap_->wants(appId, channel, name)) continue;
        dashboard::DebugEvent debug;
        debug.kind = result.delivered() ? dashboard::DebugEvent::Kind::WebhookDelivered
                                        : dashboard::DebugEvent::Kind::WebhookFailed;
        debug.timeMs = nowMs;
        debug.appId = appId;
        debug.node = debugNode_;
        debug.channel = channel;
        debug.event = name;
        debug.code = result.status;
        debug.detail = result.delivered()
                           ? name_
                           : dashboard::previewOf(
                                 name_ + ": " +
                                 (result.status ? "status " + std::to_string(result.status) : result.error));
        debugTap_->emit(debug);
    }
}

TargetSender::~TargetSender() { stop(); }

void TargetSender::start() {
    std::lock_guard lock(mutex_);
    if (!threads_.empty() || stopping_) return;
    for (std::size_t i = 0; i < posters_.size(); ++i) threads_.emplace_back([this, i] { run(i); });
}

void TargetSender::stop(std::chrono::milliseconds drain) {
    std::vector<std::thread> threads;
    bool abort = false;
    {
        std::unique_lock lock(mutex_);
        stopping_ = true;
        wake_.notify_all();
        idle_.wait_for(lock, drain, [&] { return inFlight_ == 0; });
        abort = inFlight_ > 0;
        threads.swap(threads_);
    }
    if (abort) {
        for (auto& poster : posters_) poster->abort();
    }
    for (auto& thread : threads) thread.join();
    abandonAll();
}

void TargetSender::abandonAll() {
    std::vector<Delivery> abandoned;
    {
        std::lock_guard lock(mutex_);
        for (auto& [seq, pending] : pending_) {
            for (const auto& receipt : pending.delivery.receipts) receipt->abandon();
            abandoned.push_back(std::move(pending.delivery));
        }
        pending_.clear();
        byChannel_.clear();
        runnable_.clear();
    }
    if (!abandoned.empty()) {
        metrics_.countDropped(app_, DropReason::Shutdown, abandoned.size());
        metrics_.app(app_).queued.fetch_sub(static_cast<std::int64_t>(abandoned.size()),
                                            std::memory_order_relaxed);
    }
}

bool TargetSender::enqueue(Delivery delivery) {
    {
        std::lock_guard lock(mutex_);
        if (stopping_) {
            for (const auto& receipt : delivery.receipts) receipt->abandon();
            metrics_.countDropped(app_, DropReason::Shutdown);
            return false;
        }
        if (pending_.size() - inFlight_ < queueLimit_) {  // the limit counts the waiting ones
            const std::uint64_t seq = nextSeq_++;
            for (const auto& channel : delivery.channels) byChannel_[channel].push_back(seq);
            const Pending& pending = pending_.emplace(seq, Pending{std::move(delivery)}).first->second;
            warnedFull_ = false;
            metrics_.app(app_).queued.fetch_add(1, std::memory_order_relaxed);
            if (isHeadOfItsChannels(seq, pending)) {
                runnable_.emplace(Clock::now(), seq);
                wake_.notify_one();
            }
            return true;
        }
        if (!warnedFull_) {
            warnedFull_ = true;
            spdlog::warn("webhook queue full, dropping new requests app={} url={} limit={}",
                         metrics_.app(app_).id, name_, queueLimit_);
        }
    }
    metrics_.countDropped(app_, DropReason::QueueFull);
    return false;  // `delivery` goes: its receipts settle (dropped for good)
}

std::size_t TargetSender::queued() const {
    std::lock_guard lock(mutex_);
    return pending_.size();
}

std::size_t TargetSender::inFlight() const {
    std::lock_guard lock(mutex_);
    return inFlight_;
}

bool TargetSender::isHeadOfItsChannels(std::uint64_t seq, const Pending& pending) const {
    for (const auto& channel : pending.delivery.channels) {
        const auto it = byChannel_.find(channel);
        if (it == byChannel_.end() || it->second.empty() || it->second.front() != seq) return false;
    }
    return !pending.inFlight;
}

void TargetSender::scheduleIfRunnable(std::uint64_t seq, Clock::time_point due) {
    const auto it = pending_.find(seq);
    if (it != pending_.end() && isHeadOfItsChannels(seq, it->second)) runnable_.emplace(due, seq);
}

Delivery TargetSender::finish(std::uint64_t seq) {
    const auto it = pending_.find(seq);
    Delivery delivery = std::move(it->second.delivery);
    pending_.erase(it);
    const Clock::time_point now = Clock::now();
    bool released = false;
    for (const auto& channel : delivery.channels) {
        auto& order = byChannel_[channel];
        if (!order.empty() && order.front() == seq) {
            order.pop_front();
        } else {
            std::erase(order, seq);
        }
        if (order.empty()) {
            byChannel_.erase(channel);
        } else {
            const std::size_t before = runnable_.size();
            scheduleIfRunnable(order.front(), now);
            released = released || runnable_.size() != before;
        }
    }
    if (released) wake_.notify_all();
    return delivery;
}

void TargetSender::run(std::size_t worker) {
    HttpPoster& poster = *posters_[worker];
    WebhookMetrics::App& counters = metrics_.app(app_);
    std::unique_lock lock(mutex_);
    while (!stopping_) {
        if (runnable_.empty()) {
            wake_.wait(lock);
            continue;
        }
        const auto [due, seq] = *runnable_.begin();
        Clock::time_point now = Clock::now();
        if (due > now) {
            wake_.wait_until(lock, due);
            continue;
        }
        runnable_.erase(runnable_.begin());
        counters.queued.fetch_sub(1, std::memory_order_relaxed);
        Pending& pending = pending_.at(seq);  // a map node: stays put while this thread posts it
        // The window runs from the oldest event's creation, so a request that waited behind a failing
        // one of its channel is not sent long after the fact.
        if (pending.failures == 0 && retry_.window.count() > 0 &&
            now - pending.delivery.created > retry_.window) {
            metrics_.countDropped(app_, DropReason::Expired);
            Delivery expired = finish(seq);
            lock.unlock();
            expired = Delivery{};  // settles its receipts outside the lock
            lock.lock();
            continue;
        }
        if (pending.failures > 0) counters.retried.fetch_add(1, std::memory_order_relaxed);
        pending.inFlight = true;
        ++inFlight_;
        counters.inFlight.fetch_add(1, std::memory_order_relaxed);
        lock.unlock();
        const PostResult result = poster.post(pending.delivery.request);
        report(pending.delivery, result);  // before relocking: the tap has a lock of its own
        lock.lock();
        pending.inFlight = false;
        --inFlight_;
        counters.inFlight.fetch_sub(1, std::memory_order_relaxed);
        idle_.notify_all();
        now = Clock::now();
        if (result.delivered()) {
            metrics_.countDelivered(
                app_, pending.delivery.events,
                std::chrono::duration_cast<std::chrono::microseconds>(now - pending.delivery.built));
            if (pending.failures > 0) {
                spdlog::info("webhook delivered app={} url={} attempts={}", counters.id, name_,
                             pending.failures + 1);
            }
            Delivery done = finish(seq);
            lock.unlock();
            done = Delivery{};
            lock.lock();
            continue;
        }
        counters.failed.fetch_add(1, std::memory_order_relaxed);
        const int failures = ++pending.failures;
        if (stopping_) {
            counters.queued.fetch_add(1, std::memory_order_relaxed);
            break;  // left pending: stop() abandons it
        }
        const std::string why = result.status ? "status " + std::to_string(result.status) : result.error;
        const auto elapsed =
            std::chrono::duration_cast<std::chrono::milliseconds>(now - pending.delivery.created);
        const auto delay = nextRetryDelay(retry_, failures, elapsed);
        if (!delay) {
            metrics_.countDropped(app_, DropReason::RetriesExhausted);
            spdlog::warn("webhook dropped after {} attempts in {} ms app={} url={} events={} last={}",
                         failures, elapsed.count(), counters.id, name_, pending.delivery.events, why);
            Delivery dropped = finish(seq);
            lock.unlock();
            dropped = Delivery{};
            lock.lock();
            continue;
        }
        spdlog::debug("webhook attempt failed app={} url={} attempt={} retry_in_ms={} error={}", counters.id,
                      name_, failures, delay->count(), why);
        counters.queued.fetch_add(1, std::memory_order_relaxed);
        runnable_.emplace(now + *delay, seq);
        wake_.notify_one();
    }
}

}  // namespace resound::webhooks
