#pragma once
// The last N one-second samples of the dashboard's counters (900 = 15 minutes), oldest first: the
// overview chart and the per-second rates are computed from them. A fixed ring, allocated once.
// Written by the dashboard's sampling thread, read by HTTP handlers: any thread (one mutex, held
// for a copy at most).
#include <cstddef>
#include <mutex>
#include <optional>
#include <vector>

#include "dashboard/DashboardBackend.h"

namespace resound::dashboard {

struct Sample {
    std::int64_t timeMs = 0;
    Totals totals;
};

// Per-second rates of the monotonic counters between two samples (0 when time did not advance or a
// counter went backwards, e.g. a node restarted in the bundle).
struct Rates {
    double messagesIn = 0;
    double messagesOut = 0;
    double apiRequests = 0;
    double apiErrors = 0;
    double webhooksSent = 0;
    double webhooksFailed = 0;
};
Rates ratesBetween(const Sample& earlier, const Sample& later);

class MetricsHistory {
  public:
    explicit MetricsHistory(std::size_t capacity = 900);

    void add(const Sample& sample);
    std::vector<Sample> samples() const;  // oldest first, at most capacity()
    std::optional<Sample> latest() const;
    // The newest sample at least `minAgeMs` older than `nowMs` (the base of a rate), if any.
    std::optional<Sample> before(std::int64_t nowMs, std::int64_t minAgeMs) const;
    std::size_t size() const;
    std::size_t capacity() const { return ring_.size(); }

  private:
    mutable std::mutex mutex_;
    std::vector<Sample> ring_;
    std::size_t next_ = 0;   // where the next sample goes
    std::size_t count_ = 0;  // samples held
};

}  // namespace resound::dashboard
