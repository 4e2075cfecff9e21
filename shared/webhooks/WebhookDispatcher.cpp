#include "webhooks/WebhookDispatcher.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "webhooks/EventInterest.h"
#include "webhooks/PocoHttpPoster.h"
#include "webhooks/QueuedEventCodec.h"
#include "webhooks/WebhookPayload.h"

namespace resound::webhooks {

using Clock = std::chrono::steady_clock;
using Kind = WebhookEvent::Kind;

namespace {

bool matches(const config::WebhookFilter& filter, const std::string& channel) {
    const auto& prefix = filter.channelNameStartsWith;
    const auto& suffix = filter.channelNameEndsWith;
    return channel.size() >= prefix.size() && channel.compare(0, prefix.size(), prefix) == 0 &&
           channel.size() >= suffix.size() &&
           channel.compare(channel.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::vector<std::string> appIds(const std::vector<config::AppConfig>& apps) {
    std::vector<std::string> ids;
    for (const auto& app : apps) ids.push_back(app.id);
    return ids;
}

}  // namespace

struct WebhookDispatcher::Target {
    std::size_t app;
    config::WebhookTarget config;
    std::uint32_t kinds;
    Batcher batcher;
    std::unique_ptr<TargetSender> sender;
};

WebhookDispatcher::WebhookDispatcher(const std::vector<config::AppConfig>& apps, DispatcherOptions options)
    : options_(std::move(options)), ids_(options_.idPrefix), metrics_(appIds(apps)) {
    if (!options_.wallClockMs) options_.wallClockMs = webhooks::wallClockMs;
    if (!options_.posterFactory) {
        const auto timeout = options_.requestTimeout;
        options_.posterFactory = [timeout](const config::WebhookTarget&) {
            return std::make_unique<PocoHttpPoster>(timeout);
        };
    }
    for (std::size_t a = 0; a < apps.size(); ++a) {
        App app{apps[a], appInterest(apps[a]), {}};
        const RetryPolicy retry{options_.initialRetryDelay, options_.maxRetryDelay,
                                std::chrono::milliseconds(app.config.webhookRetryWindowMs)};
        for (const auto& targetConfig : app.config.webhooks) {
            const std::uint32_t kinds = targetKinds(targetConfig);
            const std::string name = redactedUrl(targetConfig.url);
            std::vector<std::unique_ptr<HttpPoster>> posters;
            for (std::size_t i = 0; i < std::max<std::size_t>(options_.targetConcurrency, 1); ++i)
                posters.push_back(options_.posterFactory(targetConfig));
            app.targets.push_back(targets_.size());
            targets_.push_back(std::make_unique<Target>(
                Target{a, targetConfig, kinds,
                       Batcher(std::chrono::milliseconds(targetConfig.batchMs), options_.maxEventsPerRequest),
                       std::make_unique<TargetSender>(a, name, std::move(posters), retry,
                                                      app.config.webhookQueueLimit, metrics_,
                                                      options_.debugTap, options_.debugNode)}));
        }
        if (!app.targets.empty()) {
            spdlog::info("webhooks app={} targets={} grace_ms={} retry_window_ms={} queue_limit={}",
                         app.config.id, app.targets.size(), app.config.webhookGraceMs,
                         app.config.webhookRetryWindowMs, app.config.webhookQueueLimit);
        }
        byId_.emplace(app.config.id, a);
        apps_.push_back(std::move(app));
    }
    if (!options_.spoolDir.empty()) spool_ = std::make_shared<WebhookSpool>(options_.spoolDir);
}

WebhookDispatcher::~WebhookDispatcher() { stop(); }

void WebhookDispatcher::start() {
    if (router_.joinable()) return;
    for (auto& target : targets_) target->sender->start();
    if (spool_) {
        // What a previous run accepted and did not settle: first, in order, with its ids and window.
        for (const std::string& entry : spool_->takeRecovered()) {
            auto queued = decodeQueuedEvent(entry);
            const auto it = queued ? byId_.find(queued->appId) : byId_.end();
            if (it == byId_.end()) continue;  // app no longer configured
            std::string id = queued->event.id;
            enqueue(it->second, std::move(queued->event),
                    std::make_shared<EventReceipt>([spool = spool_, id] { spool->settle(id); }));
        }
    }
    router_ = std::thread([this] { run(); });
}

void WebhookDispatcher::stop() {
    {
        std::lock_guard lock(intakeMutex_);
        stopping_ = true;
    }
    intakeWake_.notify_all();
    if (router_.joinable()) router_.join();
    // Every sender drains at the same time, so the whole stop takes at most one stopDrain.
    std::vector<std::thread> stoppers;
    for (auto& target : targets_) {
        stoppers.emplace_back([&target, drain = options_.stopDrain] { target->sender->stop(drain); });
    }
    for (auto& stopper : stoppers) stopper.join();
}

bool WebhookDispatcher::wants(std::string_view appId, Kind kind) const {
    const auto it = byId_.find(std::string(appId));
    return it != byId_.end() && (apps_[it->second].interest & kindBit(kind)) != 0;
}

void WebhookDispatcher::emit(const config::AppConfig& app, WebhookEvent event) {
    const auto it = byId_.find(app.id);
    if (it == byId_.end() || (apps_[it->second].interest & kindBit(event.kind)) == 0) return;
    enqueue(it->second, std::move(event), nullptr);
}

bool WebhookDispatcher::emit(std::string_view appId, WebhookEvent event,
                             std::shared_ptr<EventReceipt> receipt) {
    const auto it = byId_.find(std::string(appId));
    if (it == byId_.end() || (apps_[it->second].interest & kindBit(event.kind)) == 0) return false;
    return enqueue(it->second, std::move(event), std::move(receipt));
}

bool WebhookDispatcher::enqueue(std::size_t app, WebhookEvent&& event,
                                std::shared_ptr<EventReceipt>&& receipt) {
    if (event.id.empty()) event.id = ids_.next();
    if (event.createdMs == 0) event.createdMs = options_.wallClockMs();
    bool wasEmpty = false;
    {
        std::lock_guard lock(intakeMutex_);
        if (intake_.size() >= options_.intakeLimit) {
            metrics_.app(app).eventsDropped.fetch_add(1, std::memory_order_relaxed);
            return false;
        }
        wasEmpty = intake_.empty();
        intake_.push_back(AppEvent{app, std::move(event), std::move(receipt)});
    }
    if (wasEmpty) intakeWake_.notify_one();
    return true;
}

std::optional<Clock::time_point> WebhookDispatcher::nextDue() const {
    std::optional<Clock::time_point> due = grace_.nextDue();
    for (const auto& target : targets_) {
        if (const auto d = target->batcher.nextDue(); d && (!due || *d < *due)) due = d;
    }
    return due;
}

void WebhookDispatcher::run() {
    std::vector<AppEvent> arrived;
    std::vector<AppEvent> released;
    for (;;) {
        {
            std::unique_lock lock(intakeMutex_);
            const auto ready = [&] { return stopping_ || !intake_.empty(); };
            if (const auto due = nextDue()) {
                intakeWake_.wait_until(lock, *due, ready);
            } else {
                intakeWake_.wait(lock, ready);
            }
            if (stopping_) break;
            arrived.swap(intake_);
        }
        if (spool_) spool(arrived);
        const Clock::time_point now = Clock::now();
        for (AppEvent& event : arrived) {
            const std::chrono::milliseconds grace(
                options_.applyGracePeriod ? apps_[event.app].config.webhookGraceMs : 0);
            if (auto passed = grace_.offer(std::move(event), grace, now)) route(*passed, now);
        }
        arrived.clear();
        grace_.releaseDue(now, released);
        for (AppEvent& event : released) route(event, now);
        released.clear();
        flushReady(now);
    }
    // Whatever did not reach a sender is abandoned: in the bundle it stays in Redis for the next one.
    std::vector<AppEvent> held;
    grace_.releaseAll(held);
    {
        std::lock_guard lock(intakeMutex_);
        for (AppEvent& event : intake_) held.push_back(std::move(event));
        intake_.clear();
    }
    for (const AppEvent& event : held) {
        if (event.receipt) event.receipt->abandon();
    }
    std::size_t batched = 0;
    std::vector<std::vector<OutgoingEvent>> batches;
    for (const auto& target : targets_) target->batcher.takeAll(batches);
    for (const auto& batch : batches) {
        for (const auto& event : batch) {
            ++batched;
            if (event.receipt) event.receipt->abandon();
        }
    }
    if (!held.empty() || batched > 0) {
        spdlog::info(
            "webhooks stopping: {} events in their grace period or intake and {} batched events not sent",
            held.size(), batched);
    }
}

void WebhookDispatcher::spool(std::vector<AppEvent>& arrived) {
    std::vector<std::pair<std::string, std::string>> entries;
    for (AppEvent& event : arrived) {
        if (event.receipt) continue;  // recovered from the spool: already in it
        entries.emplace_back(event.event.id, encodeQueuedEvent(apps_[event.app].config.id, event.event));
        event.receipt =
            std::make_shared<EventReceipt>([spool = spool_, id = event.event.id] { spool->settle(id); });
    }
    spool_->append(entries);  // fsynced before anything is routed
}

void WebhookDispatcher::route(AppEvent& event, Clock::time_point now) {
    std::string json;
    for (const std::size_t t : apps_[event.app].targets) {
        Target& target = *targets_[t];
        if ((target.kinds & kindBit(event.event.kind)) == 0 ||
            !matches(target.config.filter, event.event.channel))
            continue;
        if (json.empty()) json = eventJson(event.event);
        target.batcher.add(OutgoingEvent{json, event.event.id, event.event.channel, event.event.createdMs,
                                         event.receipt, std::string(eventTypeName(event.event.kind))},
                           now);
    }
    // No target wants it (or every request carrying it ends later): this reference goes now.
    event.receipt.reset();
}

void WebhookDispatcher::flushReady(Clock::time_point now) {
    std::vector<OutgoingEvent> events;
    for (auto& target : targets_) {
        while (target->batcher.takeReady(now, events)) target->sender->enqueue(build(*target, events));
    }
}

Delivery WebhookDispatcher::build(const Target& target, std::vector<OutgoingEvent>& events) const {
    const config::AppConfig& app = apps_[target.app].config;
    Delivery delivery;
    delivery.events = events.size();
    delivery.built = Clock::now();
    const std::int64_t nowMs = options_.wallClockMs();
    std::int64_t oldestMs = nowMs;
    std::vector<std::string> jsons;
    std::vector<std::string> ids;
    for (auto& event : events) {
        oldestMs = std::min(oldestMs, event.createdMs);
        if (std::find(delivery.channels.begin(), delivery.channels.end(), event.channel) ==
            delivery.channels.end())
            delivery.channels.push_back(event.channel);
        if (event.receipt) delivery.receipts.push_back(std::move(event.receipt));
        delivery.named.emplace_back(event.channel, std::move(event.name));
        jsons.push_back(std::move(event.json));
        ids.push_back(std::move(event.id));
    }
    // An event that waited in Redis (a sender change, an outage) keeps the retry window it began with.
    delivery.created =
        delivery.built - std::chrono::milliseconds(std::max<std::int64_t>(nowMs - oldestMs, 0));
    delivery.request.url = target.config.url;
    delivery.request.body = requestBody(nowMs, jsons);
    auto& headers = delivery.request.headers;
    headers.reserve(4 + target.config.headers.size());
    headers.emplace_back("Content-Type", "application/json");
    headers.emplace_back("X-Resound-Webhook-Id", requestId(ids));
    headers.emplace_back("X-Pusher-Key", app.key);
    headers.emplace_back("X-Pusher-Signature", signature(app.secret, delivery.request.body));
    headers.insert(headers.end(), target.config.headers.begin(), target.config.headers.end());
    return delivery;
}

std::unique_ptr<WebhookDispatcher> makeWebhookDispatcher(const std::vector<config::AppConfig>& apps,
                                                         DispatcherOptions options) {
    if (!anyWebhookTargets(apps)) return nullptr;
    return std::make_unique<WebhookDispatcher>(apps, std::move(options));
}

}  // namespace resound::webhooks
