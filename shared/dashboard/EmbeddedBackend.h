#pragma once
// The dashboard's view of the all-in-one server: the same counters /metrics renders (so the page and
// /metrics agree), the in-process cluster state and app registry, publishing as the HTTP API does
// (api::publishEvent), the webhook dispatcher's counters, and the process's DebugTap. Any thread:
// everything it reads is atomic counters or thread-safe state.
#include <chrono>
#include <string>

#include "apps/AppRegistry.h"
#include "bus/Bus.h"
#include "dashboard/DashboardBackend.h"
#include "metrics/Metrics.h"
#include "state/ClusterState.h"

namespace resound::webhooks {
class WebhookMetrics;
}

namespace resound::dashboard {

class EmbeddedBackend final : public DashboardBackend {
  public:
    struct Sources {
        Sources(const apps::AppRegistry& apps, state::ClusterState& state, bus::Bus& bus,
                metrics::Metrics& metrics, DebugTap& tap)
            : apps(apps), state(state), bus(bus), metrics(metrics), tap(tap) {}
        const apps::AppRegistry& apps;
        state::ClusterState& state;
        bus::Bus& bus;
        metrics::Metrics& metrics;
        DebugTap& tap;
        const webhooks::WebhookMetrics* webhooks = nullptr;  // the embedded dispatcher's, if any
        std::string nodeId;                                  // shown in the node row
        std::string serviceName = "resound";
    };

    explicit EmbeddedBackend(Sources sources);

    Snapshot snapshot() override;
    std::vector<std::string> appIds() override;
    std::vector<state::ChannelSummary> channels(const std::string& appId, const std::string& prefix) override;
    std::vector<state::PresenceMember> members(const std::string& appId, const std::string& channel) override;
    std::optional<state::CachedEvent> cachedEvent(const std::string& appId,
                                                  const std::string& channel) override;
    PublishOutcome publish(const std::string& appId, const std::string& channel, const std::string& event,
                           const std::string& data) override;
    DebugTap& tap() override { return sources_.tap; }

  private:
    Sources sources_;
    std::chrono::steady_clock::time_point startedAt_ = std::chrono::steady_clock::now();
};

// The counters of `metrics` (and of the webhook dispatcher, when given) as the dashboard's Totals,
// each the sum /metrics renders.
Totals totalsOf(const metrics::Metrics& metrics, const webhooks::WebhookMetrics* webhooks);

}  // namespace resound::dashboard
