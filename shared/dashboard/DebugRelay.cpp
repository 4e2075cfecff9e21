#include "dashboard/DebugRelay.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "json/JsonReader.h"
#include "json/JsonText.h"
#include "metrics/PrometheusText.h"
#include "redis/CommandClient.h"
#include "redis/KeySchema.h"
#include "redis/Subscriber.h"

namespace resound::dashboard {

namespace {

std::int64_t unixMs() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

bool sameFilter(const DebugFilter& a, const DebugFilter& b) {
    return a.appId == b.appId && a.channel == b.channel && a.event == b.event;
}

std::string member(const json::JsonValue& object, std::string_view key) {
    const json::JsonValue* value = object.find(key);
    return value && value->isString() ? value->text : std::string();
}

}  // namespace

std::string encodeWatchRegistration(const std::vector<DebugFilter>& filters, std::int64_t updatedMs) {
    std::string out = "{\"updated_ms\":" + std::to_string(updatedMs) + ",\"filters\":[";
    for (std::size_t i = 0; i < filters.size(); ++i) {
        if (i > 0) out += ',';
        out += "{\"app\":";
        json::appendQuoted(out, filters[i].appId);
        out += ",\"channel\":";
        json::appendQuoted(out, filters[i].channel);
        out += ",\"event\":";
        json::appendQuoted(out, filters[i].event);
        out += '}';
    }
    out += "]}";
    return out;
}

std::vector<DebugFilter> decodeWatchRegistrations(const std::vector<std::string>& values,
                                                  std::int64_t freshSinceMs) {
    std::vector<DebugFilter> out;
    for (const std::string& text : values) {
        const json::JsonReadResult read = json::readJson(text, 4);
        if (!read.ok() || !read.value.isObject()) continue;
        const json::JsonValue* updated = read.value.find("updated_ms");
        const json::JsonValue* filters = read.value.find("filters");
        if (!updated || updated->kind != json::JsonKind::Number || !filters || !filters->isArray()) continue;
        std::int64_t updatedMs = 0;
        try {
            updatedMs = std::stoll(updated->text);
        } catch (const std::exception&) {
            continue;
        }
        if (updatedMs < freshSinceMs) continue;
        for (const json::JsonValue& item : filters->items) {
            if (!item.isObject()) continue;
            DebugFilter filter;
            filter.appId = member(item, "app");
            filter.channel = member(item, "channel");
            filter.event = member(item, "event");
            if (filter.appId.empty() || filter.problem()) continue;
            out.push_back(std::move(filter));
        }
    }
    return out;
}

std::vector<DebugFilter> relayFilters(const std::vector<DebugFilter>& filters) {
    std::vector<DebugFilter> out;
    for (const DebugFilter& filter : filters) {
        auto same = std::find_if(out.begin(), out.end(),
                                 [&](const DebugFilter& f) { return f.appId == filter.appId; });
        if (same == out.end()) {
            out.push_back(filter);
        } else if (!sameFilter(*same, filter)) {
            same->channel.clear();  // two different consoles on one app: ship the app, the monitor filters
            same->event.clear();
        }
    }
    std::sort(out.begin(), out.end(),
              [](const DebugFilter& a, const DebugFilter& b) { return a.appId < b.appId; });
    return out;
}

bool sameFilters(const std::vector<DebugFilter>& a, const std::vector<DebugFilter>& b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), sameFilter);
}

std::vector<DebugEvent> decodeEventBatch(std::string_view payload) {
    std::vector<DebugEvent> out;
    while (!payload.empty()) {
        const std::size_t end = std::min(payload.find('\n'), payload.size());
        if (auto event = debugEventFromJson(payload.substr(0, end))) out.push_back(std::move(*event));
        payload.remove_prefix(std::min(end + 1, payload.size()));
    }
    return out;
}

// ---- node side ----

DebugRelay::DebugRelay(std::shared_ptr<redis::CommandClient> redis, DebugTap& tap, NodeId nodeId,
                       RelayOptions options)
    : redis_(std::move(redis)), tap_(tap), nodeId_(std::move(nodeId)), options_(options) {}

DebugRelay::~DebugRelay() { stop(); }

void DebugRelay::start() {
    thread_ = std::thread([this] { run(); });
}

void DebugRelay::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
    watches_.clear();  // before the tap (owned by the server) goes
    installed_.clear();
    installedCount_.store(0, std::memory_order_relaxed);
}

void DebugRelay::enqueue(const DebugEvent& event) {
    bool wasEmpty = false;
    {
        std::lock_guard lock(mutex_);
        if (queue_.size() >= options_.queueLimit) {
            dropped_.fetch_add(1, std::memory_order_relaxed);
            return;
        }
        wasEmpty = queue_.empty();
        queue_.push_back(event);
    }
    if (wasEmpty) wake_.notify_one();  // the relay thread drains everything queued after this at once
}

void DebugRelay::poll() {
    auto reply = redis_->command({"HGETALL", redis::keys::debugWatch()});
    if (!reply || !reply->isArray()) return;  // keep what is installed; the next poll tries again
    std::vector<std::string> values;
    for (std::size_t i = 1; i < reply->elements.size(); i += 2) values.push_back(reply->elements[i].text);
    const auto wanted =
        relayFilters(decodeWatchRegistrations(values, unixMs() - options_.staleAfter.count()));
    if (sameFilters(wanted, installed_)) return;
    watches_.clear();
    for (const DebugFilter& filter : wanted) {
        watches_.push_back(tap_.watch(filter, [this](const DebugEvent& event) { enqueue(event); }));
    }
    installed_ = wanted;
    installedCount_.store(installed_.size(), std::memory_order_relaxed);
    spdlog::info("debug relay: {} watch(es) installed", installed_.size());
}

void DebugRelay::publish(std::vector<DebugEvent>& batch) {
    const std::string node = nodeId_ ? nodeId_() : std::string();
    std::string payload;
    for (DebugEvent& event : batch) {
        if (event.node.empty()) event.node = node;
        if (!payload.empty()) payload += '\n';
        payload += toJson(event);
    }
    auto reply = redis_->command({"PUBLISH", redis::keys::debugEvents(), payload});
    if (reply && !reply->isError()) {
        published_.fetch_add(batch.size(), std::memory_order_relaxed);
    } else {
        dropped_.fetch_add(batch.size(), std::memory_order_relaxed);
    }
}

void DebugRelay::run() {
    auto nextPoll = std::chrono::steady_clock::now();
    std::vector<DebugEvent> batch;
    std::unique_lock lock(mutex_);
    while (!stopping_) {
        if (queue_.empty() && std::chrono::steady_clock::now() < nextPoll) {
            wake_.wait_until(lock, nextPoll, [this] { return stopping_ || !queue_.empty(); });
            continue;
        }
        while (!queue_.empty()) {
            batch.clear();
            while (!queue_.empty() && batch.size() < options_.batchLimit) {
                batch.push_back(std::move(queue_.front()));
                queue_.pop_front();
            }
            lock.unlock();
            publish(batch);
            lock.lock();
        }
        if (std::chrono::steady_clock::now() >= nextPoll) {
            lock.unlock();
            poll();
            lock.lock();
            nextPoll = std::chrono::steady_clock::now() + options_.pollInterval;
        }
    }
}

void DebugRelay::appendPrometheus(std::string& out) const {
    metrics::appendFamily(out, "resound_debug_relay_watches", "gauge",
                          "Debug console watches this node relays to resound-monitor (one per app).");
    out += "resound_debug_relay_watches " + std::to_string(installedWatches()) + "\n";
    metrics::appendFamily(out, "resound_debug_relay_events_total", "counter",
                          "Debug console events published to Redis for resound-monitor.");
    out += "resound_debug_relay_events_total " + std::to_string(published()) + "\n";
    metrics::appendFamily(out, "resound_debug_relay_dropped_total", "counter",
                          "Debug console events dropped (queue full or Redis unavailable).");
    out += "resound_debug_relay_dropped_total " + std::to_string(dropped()) + "\n";
}

// ---- monitor side ----

DebugRelayCollector::DebugRelayCollector(std::shared_ptr<redis::CommandClient> redis,
                                         redis::ConnectionOptions subscriberConnection, DebugTap& tap,
                                         std::string monitorId, CollectorOptions options)
    : redis_(std::move(redis)),
      subscriberConnection_(std::move(subscriberConnection)),
      tap_(tap),
      monitorId_(std::move(monitorId)),
      options_(options) {}

DebugRelayCollector::~DebugRelayCollector() { stop(); }

void DebugRelayCollector::start() {
    redis::SubscriberOptions subscriberOptions;
    subscriberOptions.permanentTopics = {redis::keys::debugEvents()};
    subscriber_ = std::make_unique<redis::Subscriber>(
        subscriberConnection_, subscriberOptions, [this](std::string_view, std::string&& payload) {
            for (const DebugEvent& event : decodeEventBatch(payload)) {
                received_.fetch_add(1, std::memory_order_relaxed);
                tap_.emit(event);
            }
        });
    thread_ = std::thread([this] { run(); });
}

void DebugRelayCollector::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
    subscriber_.reset();
}

bool DebugRelayCollector::write(const std::vector<DebugFilter>& filters) {
    const std::string key = redis::keys::debugWatch();
    if (filters.empty()) {
        auto reply = redis_->command({"HDEL", key, monitorId_});
        if (reply && !reply->isError()) registered_.store(false, std::memory_order_relaxed);
        return reply && !reply->isError();
    }
    redis::Pipeline pipeline;
    const std::string value = encodeWatchRegistration(filters, unixMs());
    pipeline.command({"HSET", key, monitorId_, value});
    const std::string ttl = std::to_string(options_.keyTtl.count());
    pipeline.command({"PEXPIRE", key, ttl});
    std::vector<redis::RespValue> replies;
    const bool ok = redis_->execute(pipeline, replies) && !replies.empty() && !replies[0].isError();
    if (ok) registered_.store(true, std::memory_order_relaxed);
    return ok;
}

void DebugRelayCollector::run() {
    std::vector<DebugFilter> written;
    bool writtenOk = true;  // nothing registered yet: nothing to delete
    auto lastWrite = std::chrono::steady_clock::now();
    std::unique_lock lock(mutex_);
    while (!stopping_) {
        lock.unlock();
        const std::vector<DebugFilter> filters = tap_.filters();
        const auto now = std::chrono::steady_clock::now();
        const bool changed = !sameFilters(filters, written) || !writtenOk;
        const bool due = !filters.empty() && now - lastWrite >= options_.refreshInterval;
        if (changed || due) {
            writtenOk = write(filters);
            written = filters;
            lastWrite = now;
        }
        lock.lock();
        wake_.wait_for(lock, options_.checkInterval, [this] { return stopping_; });
    }
    lock.unlock();
    if (!written.empty()) write({});
}

}  // namespace resound::dashboard
