#include "metrics/Metrics.h"

#include <algorithm>
#include <cstdio>
#include <functional>

#include "metrics/PrometheusText.h"

namespace resound::metrics {

void LoopCounters::recordIteration(std::chrono::steady_clock::duration elapsed) {
    const auto ns = static_cast<std::uint64_t>(
        std::max<std::int64_t>(0, std::chrono::duration_cast<std::chrono::nanoseconds>(elapsed).count()));
    const double seconds = static_cast<double>(ns) * 1e-9;
    std::size_t bucket = 0;
    while (bucket < kLoopIterationBuckets.size() && seconds > kLoopIterationBuckets[bucket]) ++bucket;
    add(iterationBuckets[bucket]);
    add(iterationNanos, ns);
    if (ns > iterationMaxNanos.load(std::memory_order_relaxed))
        iterationMaxNanos.store(ns, std::memory_order_relaxed);
}

Metrics::Metrics(std::size_t loops) {
    for (std::size_t i = 0; i < loops; ++i) loops_.push_back(std::make_unique<LoopCounters>());
}

void Metrics::countHttpResponse(int status) {
    if (status >= 100 && status < 600) httpByStatus_[status].fetch_add(1, std::memory_order_relaxed);
}

void Metrics::countProtocolError(std::uint16_t code) {
    if (code >= 4000 && code < 4400) pusherCodes_[code - 4000].fetch_add(1, std::memory_order_relaxed);
    if (code >= 1000 && code < 1016) wsCloseCodes_[code - 1000].fetch_add(1, std::memory_order_relaxed);
}

void Metrics::countApiResponse(int status) {
    apiRequests_.fetch_add(1, std::memory_order_relaxed);
    if (status >= 400) apiErrors_.fetch_add(1, std::memory_order_relaxed);
}

std::uint64_t Metrics::slowConsumerCloses() const {
    std::uint64_t total = 0;
    for (const auto& l : loops_) total += l->slowConsumerCloses.load(std::memory_order_relaxed);
    return total;
}

std::uint64_t Metrics::rateLimitHits() const {
    std::uint64_t total = 0;
    for (const auto& l : loops_) total += l->rateLimitHits.load(std::memory_order_relaxed);
    return total;
}

std::int64_t Metrics::connections() const {
    std::int64_t total = 0;
    for (const auto& l : loops_) total += l->connections.load(std::memory_order_relaxed);
    return total;
}

namespace {

template <typename Get>
std::uint64_t sum(const std::vector<std::unique_ptr<LoopCounters>>& loops, Get get) {
    std::uint64_t total = 0;
    for (const auto& l : loops) total += static_cast<std::uint64_t>(get(*l).load(std::memory_order_relaxed));
    return total;
}

void sample(std::string& out, const std::string& nameWithLabels, std::uint64_t value) {
    out += nameWithLabels;
    out += ' ';
    out += std::to_string(value);
    out += '\n';
}

std::string secondsText(double seconds) {
    char text[32];
    std::snprintf(text, sizeof text, "%.9g", seconds);
    return text;
}

}  // namespace

void Metrics::appendLoopIterations(std::string& out) const {
    appendFamily(out, "resound_event_loop_iteration_seconds", "histogram",
                 "Time an event-loop iteration took (I/O, posted tasks, writes, timers; waiting excluded), "
                 "over every loop of the process.");
    std::uint64_t cumulative = 0;
    for (std::size_t b = 0; b <= kLoopIterationBuckets.size(); ++b) {
        cumulative += sum(
            loops_, [b](auto& l) -> auto& { return l.iterationBuckets[b]; });
        const std::string le =
            b < kLoopIterationBuckets.size() ? secondsText(kLoopIterationBuckets[b]) : "+Inf";
        sample(out, "resound_event_loop_iteration_seconds_bucket{le=\"" + le + "\"}", cumulative);
    }
    const std::uint64_t nanos = sum(
        loops_, [](auto& l) -> auto& { return l.iterationNanos; });
    out +=
        "resound_event_loop_iteration_seconds_sum " + secondsText(static_cast<double>(nanos) * 1e-9) + "\n";
    sample(out, "resound_event_loop_iteration_seconds_count", cumulative);
    std::uint64_t maxNanos = 0;
    for (const auto& l : loops_)
        maxNanos = std::max(maxNanos, l->iterationMaxNanos.load(std::memory_order_relaxed));
    appendFamily(out, "resound_event_loop_iteration_max_seconds", "gauge",
                 "The longest event-loop iteration since the process started.");
    out += "resound_event_loop_iteration_max_seconds " + secondsText(static_cast<double>(maxNanos) * 1e-9) +
           "\n";
}

std::string Metrics::renderPrometheus() const {
    std::string out;
    struct Simple {
        const char* name;
        const char* type;
        const char* help;
        std::function<std::uint64_t()> value;
    };
    const Simple simple[] = {
        {"resound_connections", "gauge", "Open WebSocket connections.",
         [&] {
             return sum(
                 loops_, [](auto& l) -> auto& { return l.connections; });
         }},
        {"resound_channels", "gauge", "Channels with at least one subscriber (summed over event loops).",
         [&] {
             return sum(
                 loops_, [](auto& l) -> auto& { return l.localChannels; });
         }},
        {"resound_connections_opened_total", "counter", "WebSocket connections established.",
         [&] {
             return sum(
                 loops_, [](auto& l) -> auto& { return l.connectionsOpened; });
         }},
        {"resound_connections_closed_total", "counter", "WebSocket connections closed.",
         [&] {
             return sum(
                 loops_, [](auto& l) -> auto& { return l.connectionsClosed; });
         }},
        {"resound_ws_messages_received_total", "counter", "WebSocket messages received from clients.",
         [&] {
             return sum(
                 loops_, [](auto& l) -> auto& { return l.messagesIn; });
         }},
        {"resound_ws_messages_sent_total", "counter", "WebSocket messages queued to clients.",
         [&] {
             return sum(
                 loops_, [](auto& l) -> auto& { return l.messagesOut; });
         }},
        {"resound_ws_received_bytes_total", "counter", "Bytes received on WebSocket connections.",
         [&] {
             return sum(
                 loops_, [](auto& l) -> auto& { return l.bytesIn; });
         }},
        {"resound_ws_sent_bytes_total", "counter", "Bytes written to WebSocket connections.",
         [&] {
             return sum(
                 loops_, [](auto& l) -> auto& { return l.bytesOut; });
         }},
        {"resound_client_events_total", "counter", "Client events (client-*) relayed.",
         [&] {
             return sum(
                 loops_, [](auto& l) -> auto& { return l.clientEvents; });
         }},
        {"resound_slow_consumer_disconnects_total", "counter",
         "Connections closed because their outgoing queue passed the cap.",
         [&] {
             return sum(
                 loops_, [](auto& l) -> auto& { return l.slowConsumerCloses; });
         }},
        {"resound_client_events_rate_limited_total", "counter",
         "Client events refused by the app's client event rate limit (4301).",
         [&] {
             return sum(
                 loops_, [](auto& l) -> auto& { return l.rateLimitHits; });
         }},
        {"resound_api_requests_total", "counter", "Pusher HTTP API requests answered (/apps/...).",
         [&] { return apiRequests_.load(std::memory_order_relaxed); }},
        {"resound_api_errors_total", "counter", "Pusher HTTP API requests answered with a 4xx or 5xx status.",
         [&] { return apiErrors_.load(std::memory_order_relaxed); }},
        {"resound_events_published_total", "counter", "Events accepted by the HTTP API (per channel).",
         [&] { return eventsPublished_.load(std::memory_order_relaxed); }},
    };
    for (const auto& s : simple) {
        appendFamily(out, s.name, s.type, s.help);
        sample(out, s.name, s.value());
    }
    appendLoopIterations(out);
    appendFamily(out, "resound_http_requests_total", "counter", "HTTP responses sent, by status code.");
    for (int status = 100; status < 600; ++status) {
        auto v = httpByStatus_[status].load(std::memory_order_relaxed);
        if (v) sample(out, "resound_http_requests_total{status=\"" + std::to_string(status) + "\"}", v);
    }
    appendFamily(out, "resound_protocol_errors_total", "counter",
                 "Pusher error codes and WebSocket close codes sent to clients, by code.");
    for (int i = 0; i < 400; ++i) {
        auto v = pusherCodes_[i].load(std::memory_order_relaxed);
        if (v) sample(out, "resound_protocol_errors_total{code=\"" + std::to_string(4000 + i) + "\"}", v);
    }
    for (int i = 0; i < 16; ++i) {
        auto v = wsCloseCodes_[i].load(std::memory_order_relaxed);
        if (v) sample(out, "resound_protocol_errors_total{code=\"" + std::to_string(1000 + i) + "\"}", v);
    }
    return out;
}

}  // namespace resound::metrics
