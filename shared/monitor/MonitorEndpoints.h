#pragma once
// resound-monitor's HTTP answers from the poller's latest snapshot: /health (liveness: 200 even when
// Redis is down, with "redis":"down"), /up, /ready (503 while Redis is unreachable, before the first
// read, or while draining) and /metrics. Any pool thread; nothing here blocks on Redis.
#include <atomic>
#include <functional>
#include <string>

#include "monitor/ClusterPoller.h"
#include "monitor/ClusterReport.h"
#include "service/HttpService.h"

namespace resound::monitor {

class MonitorEndpoints {
  public:
    using ViewSource = std::function<ClusterPoller::View()>;

    // Appends more Prometheus text to /metrics (e.g. the webhook sender's); called on pool threads.
    using MetricsSource = std::function<void(std::string&)>;

    MonitorEndpoints(ViewSource view, ReportOptions options, MetricsSource extraMetrics = {});

    service::HttpReply handle(const service::HttpExchange& request) const;
    void setDraining() { draining_.store(true, std::memory_order_relaxed); }

  private:
    MonitorState stateOf(const ClusterPoller::View& view) const;

    ViewSource view_;
    ReportOptions options_;
    MetricsSource extraMetrics_;
    std::atomic<bool> draining_{false};
};

}  // namespace resound::monitor
