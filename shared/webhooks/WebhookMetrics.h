#pragma once
// Webhook counters per app for /metrics: requests sent (2xx), failed attempts, retries, requests
// dropped (queue full, retries exhausted, shutdown), events dropped before batching (intake full),
// queued requests, and the delivery latency (request built -> 2xx answer, so it includes queueing and
// retries) as a histogram. The app set is fixed at construction; any thread may count or render.
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace resound::webhooks {

// QueueFull: the target's queue was at its limit. RetriesExhausted: failed until the retry window
// ended. Expired: waited in the queue (behind a failing request) past the window, never attempted.
// Shutdown: still queued or in flight when the dispatcher stopped (in the bundle their events stay in
// Redis for the next sender; in the embedded server they are lost unless spooled).
enum class DropReason { QueueFull, RetriesExhausted, Expired, Shutdown };

class WebhookMetrics {
  public:
    static constexpr std::array<double, 14> kLatencyBucketsSeconds{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
                                                                   1,     2.5,  5,     10,   30,  60,   300};

    struct App {
        std::string id;
        std::atomic<std::uint64_t> sent{0};
        std::atomic<std::uint64_t> eventsSent{0};
        std::atomic<std::uint64_t> failed{0};
        std::atomic<std::uint64_t> retried{0};
        std::array<std::atomic<std::uint64_t>, 4> dropped{};  // by DropReason
        std::atomic<std::uint64_t> eventsDropped{0};          // intake full: never became a request
        std::atomic<std::int64_t> queued{0};                  // requests waiting in the target queues
        std::atomic<std::int64_t> inFlight{0};                // requests being posted right now
        std::array<std::atomic<std::uint64_t>, kLatencyBucketsSeconds.size() + 1> latencyBuckets{};  // + Inf
        std::atomic<std::uint64_t> latencySumMicros{0};
    };

    explicit WebhookMetrics(const std::vector<std::string>& appIds);

    App& app(std::size_t index) { return *apps_[index]; }
    const App& app(std::size_t index) const { return *apps_[index]; }
    std::size_t appCount() const { return apps_.size(); }

    void countDelivered(std::size_t app, std::size_t events, std::chrono::microseconds latency);
    void countDropped(std::size_t app, DropReason reason, std::uint64_t requests = 1);

    std::uint64_t dropped(std::size_t app, DropReason reason) const;
    // Appends the Prometheus text exposition of every family (HELP, TYPE, one sample per app).
    void appendPrometheus(std::string& out) const;

  private:
    std::vector<std::unique_ptr<App>> apps_;
};

}  // namespace resound::webhooks
