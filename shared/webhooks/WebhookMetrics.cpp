#include "webhooks/WebhookMetrics.h"

#include <cstdio>

#include "metrics/PrometheusText.h"

namespace resound::webhooks {
namespace {

constexpr const char* kReasonLabels[] = {"queue_full", "retries_exhausted", "expired", "shutdown"};

std::string number(double value) {
    char text[32];
    std::snprintf(text, sizeof text, "%g", value);
    return text;
}

std::string seconds(std::uint64_t micros) {
    char text[32];
    std::snprintf(text, sizeof text, "%.6f", static_cast<double>(micros) / 1e6);
    return text;
}

template <class Get>
void perApp(std::string& out, const std::vector<std::unique_ptr<WebhookMetrics::App>>& apps, const char* name,
            const char* type, const char* help, Get get) {
    metrics::appendFamily(out, name, type, help);
    for (const auto& app : apps) {
        out += name;
        out += "{app=\"" + metrics::escapeLabelValue(app->id) + "\"} " + std::to_string(get(*app)) + "\n";
    }
}

}  // namespace

WebhookMetrics::WebhookMetrics(const std::vector<std::string>& appIds) {
    for (const auto& id : appIds) {
        apps_.push_back(std::make_unique<App>());
        apps_.back()->id = id;
    }
}

void WebhookMetrics::countDelivered(std::size_t index, std::size_t events,
                                    std::chrono::microseconds latency) {
    App& a = *apps_[index];
    a.sent.fetch_add(1, std::memory_order_relaxed);
    a.eventsSent.fetch_add(events, std::memory_order_relaxed);
    const double seconds = static_cast<double>(latency.count()) / 1e6;
    std::size_t bucket = 0;
    while (bucket < kLatencyBucketsSeconds.size() && seconds > kLatencyBucketsSeconds[bucket]) ++bucket;
    a.latencyBuckets[bucket].fetch_add(1, std::memory_order_relaxed);
    a.latencySumMicros.fetch_add(static_cast<std::uint64_t>(latency.count() > 0 ? latency.count() : 0),
                                 std::memory_order_relaxed);
}

void WebhookMetrics::countDropped(std::size_t index, DropReason reason, std::uint64_t requests) {
    apps_[index]->dropped[static_cast<std::size_t>(reason)].fetch_add(requests, std::memory_order_relaxed);
}

std::uint64_t WebhookMetrics::dropped(std::size_t index, DropReason reason) const {
    return apps_[index]->dropped[static_cast<std::size_t>(reason)].load(std::memory_order_relaxed);
}

void WebhookMetrics::appendPrometheus(std::string& out) const {
    const auto load = [](const auto& counter) { return counter.load(std::memory_order_relaxed); };
    perApp(out, apps_, "resound_webhooks_sent_total", "counter", "Webhook requests answered with 2xx.",
           [&](const App& a) { return load(a.sent); });
    perApp(out, apps_, "resound_webhook_events_sent_total", "counter",
           "Events in webhook requests answered with 2xx.", [&](const App& a) { return load(a.eventsSent); });
    perApp(out, apps_, "resound_webhooks_failed_total", "counter",
           "Webhook attempts that failed (non-2xx, timeout, connection error).",
           [&](const App& a) { return load(a.failed); });
    perApp(out, apps_, "resound_webhooks_retried_total", "counter", "Webhook attempts that were retries.",
           [&](const App& a) { return load(a.retried); });
    perApp(out, apps_, "resound_webhooks_queued", "gauge",
           "Webhook requests waiting to be sent (first attempt or retry), not in flight.",
           [&](const App& a) { return load(a.queued); });
    perApp(out, apps_, "resound_webhooks_in_flight", "gauge", "Webhook requests being posted right now.",
           [&](const App& a) { return load(a.inFlight); });
    perApp(out, apps_, "resound_webhook_events_dropped_total", "counter",
           "Webhook events dropped before batching because the dispatcher's intake was full.",
           [&](const App& a) { return load(a.eventsDropped); });

    metrics::appendFamily(
        out, "resound_webhooks_dropped_total", "counter",
        "Webhook requests given up: target queue full, retries exhausted, expired in the queue, or "
        "pending at shutdown.");
    for (const auto& app : apps_) {
        for (std::size_t r = 0; r < std::size(kReasonLabels); ++r) {
            out += "resound_webhooks_dropped_total{app=\"" + metrics::escapeLabelValue(app->id) +
                   "\",reason=\"" + kReasonLabels[r] + "\"} " + std::to_string(load(app->dropped[r])) + "\n";
        }
    }

    metrics::appendFamily(out, "resound_webhook_delivery_seconds", "histogram",
                          "Time from a webhook request being built to its 2xx answer, retries included.");
    for (const auto& app : apps_) {
        const std::string label = "app=\"" + metrics::escapeLabelValue(app->id) + "\"";
        std::uint64_t cumulative = 0;
        for (std::size_t b = 0; b <= kLatencyBucketsSeconds.size(); ++b) {
            cumulative += load(app->latencyBuckets[b]);
            const std::string le =
                b < kLatencyBucketsSeconds.size() ? number(kLatencyBucketsSeconds[b]) : "+Inf";
            out += "resound_webhook_delivery_seconds_bucket{" + label + ",le=\"" + le + "\"} " +
                   std::to_string(cumulative) + "\n";
        }
        out += "resound_webhook_delivery_seconds_sum{" + label + "} " + seconds(load(app->latencySumMicros)) +
               "\n";
        out += "resound_webhook_delivery_seconds_count{" + label + "} " + std::to_string(cumulative) + "\n";
    }
}

}  // namespace resound::webhooks
