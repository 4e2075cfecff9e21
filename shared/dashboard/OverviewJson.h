#pragma once
// The overview as JSON for the page: the counters of one snapshot (same names as the page's cards),
// per-second rates, the node rows, Redis status and, for the chart, the history's connections and
// message rates. Pure functions, any thread.
#include <optional>
#include <string>
#include <vector>

#include "dashboard/DashboardBackend.h"
#include "dashboard/MetricsHistory.h"

namespace resound::dashboard {

// {"time":..,"totals":{..},"rates":{..},"nodes":[..],"redis":"up"|"down"|null}
// `base` is the sample the rates are measured from (none: rates are 0).
std::string overviewJson(const Snapshot& now, const std::optional<Sample>& base);

// {"interval_ms":..,"time":[..],"connections":[..],"messages_in":[..],"messages_out":[..]}: one
// entry per sample; the rates of the first sample are 0.
std::string historyJson(const std::vector<Sample>& samples, std::int64_t intervalMs);

}  // namespace resound::dashboard
