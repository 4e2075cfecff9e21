#pragma once
// The dashboard's view of the bundle, for resound-monitor: the overview from the ClusterPoller's latest
// read (one row per node, up/down by heartbeat age, Redis up/down, totals that are the sums the
// monitor's /metrics renders plus its own webhook sender's counters), channels, members and cached
// events read from the cluster state in Redis as resound-api reads them (without registering the
// monitor as a node), publishes through the Redis bus as resound-api does, and the monitor's tap,
// which the debug relay feeds with every node's events. Any thread; snapshot() never touches Redis,
// the channel reads and publish() take one bounded round trip.
#include <functional>
#include <string>

#include "apps/AppRegistry.h"
#include "bus/Bus.h"
#include "dashboard/DashboardBackend.h"
#include "monitor/ClusterPoller.h"
#include "monitor/ClusterReport.h"
#include "state/ClusterState.h"
#include "webhooks/WebhookMetrics.h"

namespace resound::monitor {

class ClusterBackend final : public dashboard::DashboardBackend {
  public:
    using ViewSource = std::function<ClusterPoller::View()>;

    struct Parts {
        const apps::AppRegistry& apps;
        state::ClusterState& state;  // reads only (and the cache channels' store on publish)
        bus::Bus& bus;
        ViewSource view;
        ReportOptions report;
        dashboard::DebugTap& tap;
        const webhooks::WebhookMetrics* webhooks = nullptr;  // this monitor's sender, null without one
        std::string node;  // this monitor: its own overview row, and the console rows of its publishes
        std::int64_t startedAtMs = 0;  // this monitor's start (Unix ms), for its row's uptime
    };

    explicit ClusterBackend(Parts parts) : parts_(std::move(parts)) {}

    dashboard::Snapshot snapshot() override;
    std::vector<std::string> appIds() override;
    std::vector<state::ChannelSummary> channels(const std::string& appId, const std::string& prefix) override;
    std::vector<state::PresenceMember> members(const std::string& appId, const std::string& channel) override;
    std::optional<state::CachedEvent> cachedEvent(const std::string& appId,
                                                  const std::string& channel) override;
    dashboard::PublishOutcome publish(const std::string& appId, const std::string& channel,
                                      const std::string& event, const std::string& data) override;
    dashboard::DebugTap& tap() override { return parts_.tap; }

  private:
    Parts parts_;
};

// The overview a ClusterPoller view gives (pure, for tests): nodes, Redis, totals without webhooks.
dashboard::Snapshot clusterSnapshot(const ClusterPoller::View& view, const ReportOptions& options);
void addWebhookTotals(dashboard::Totals& totals, const webhooks::WebhookMetrics& metrics);

}  // namespace resound::monitor
