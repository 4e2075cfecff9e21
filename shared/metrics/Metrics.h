#pragma once
// Process-wide counters for /metrics (Prometheus text format) and /health. Hot-path counters live in
// one LoopCounters per event loop, written only by that loop with relaxed atomics (no shared cache
// lines between loops); the renderer sums them. Any thread may render or count HTTP statuses.
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace resound::metrics {

// Upper bounds (seconds) of the event-loop iteration histogram's buckets; +Inf is implicit. From
// 100 us (an idle wake-up) to 1 s (a stalled loop), so a few-millisecond budget is visible.
inline constexpr std::array<double, 12> kLoopIterationBuckets{0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
                                                              0.01,   0.025,   0.05,   0.1,   0.25,   1.0};

struct alignas(64) LoopCounters {
    std::atomic<std::int64_t> connections{0};    // open WebSocket connections (gauge)
    std::atomic<std::int64_t> localChannels{0};  // channels with subscribers on this loop (gauge)
    std::atomic<std::uint64_t> connectionsOpened{0};
    std::atomic<std::uint64_t> connectionsClosed{0};
    std::atomic<std::uint64_t> messagesIn{0};   // WebSocket messages received
    std::atomic<std::uint64_t> messagesOut{0};  // WebSocket messages queued to clients
    std::atomic<std::uint64_t> bytesIn{0};
    std::atomic<std::uint64_t> bytesOut{0};
    std::atomic<std::uint64_t> clientEvents{0};
    std::atomic<std::uint64_t> slowConsumerCloses{0};
    std::atomic<std::uint64_t> rateLimitHits{0};  // client events refused by the app's rate limit (4301)
    // Iteration durations (EventLoop's iteration hook): per-bucket counts (not cumulative; the
    // renderer sums), their total in nanoseconds, and the longest since start.
    std::array<std::atomic<std::uint64_t>, kLoopIterationBuckets.size() + 1> iterationBuckets{};
    std::atomic<std::uint64_t> iterationNanos{0};
    std::atomic<std::uint64_t> iterationMaxNanos{0};

    void recordIteration(std::chrono::steady_clock::duration elapsed);

    static void add(std::atomic<std::uint64_t>& c, std::uint64_t n = 1) {
        c.store(c.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
    }
    static void add(std::atomic<std::int64_t>& c, std::int64_t n) {
        c.store(c.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
    }
};

class Metrics {
  public:
    explicit Metrics(std::size_t loops);

    LoopCounters& loop(std::size_t i) { return *loops_[i]; }
    const LoopCounters& loop(std::size_t i) const { return *loops_[i]; }
    std::size_t loopCount() const { return loops_.size(); }

    void countHttpResponse(int status);
    // Pusher error/close codes (4000-4399) and WebSocket close codes (1000-1015) sent to clients.
    void countProtocolError(std::uint16_t code);
    void countHttpPublished(std::uint64_t events) {
        eventsPublished_.fetch_add(events, std::memory_order_relaxed);
    }
    // One answered Pusher HTTP API request (/apps/...); 4xx and 5xx are also errors.
    void countApiResponse(int status);

    std::uint64_t apiRequests() const { return apiRequests_.load(std::memory_order_relaxed); }
    std::uint64_t apiErrors() const { return apiErrors_.load(std::memory_order_relaxed); }
    std::uint64_t slowConsumerCloses() const;
    std::uint64_t rateLimitHits() const;

    std::int64_t connections() const;
    std::string renderPrometheus() const;

  private:
    void appendLoopIterations(std::string& out) const;

    std::vector<std::unique_ptr<LoopCounters>> loops_;
    std::array<std::atomic<std::uint64_t>, 600> httpByStatus_{};
    std::array<std::atomic<std::uint64_t>, 400> pusherCodes_{};  // index code - 4000
    std::array<std::atomic<std::uint64_t>, 16> wsCloseCodes_{};  // index code - 1000
    std::atomic<std::uint64_t> eventsPublished_{0};
    std::atomic<std::uint64_t> apiRequests_{0};
    std::atomic<std::uint64_t> apiErrors_{0};
};

}  // namespace resound::metrics
