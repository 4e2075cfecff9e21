#pragma once
// Tells the cluster about transitions found by a Reaper or a resync, once: member_added/member_removed
// frames to the channel through the bus (so subscribers on every edge see them) and the matching
// webhooks (channel_occupied, member_added, member_removed, channel_vacated). Thread-safe if the bus
// and the sink are (they are required to be).
#include <string>
#include <unordered_map>
#include <vector>

#include "bus/Bus.h"
#include "config/Config.h"
#include "redis/ClusterTransitions.h"
#include "webhooks/WebhookSink.h"

namespace resound::redis {

class TransitionAnnouncer {
  public:
    // `webhooks` may be null (no webhooks). Transitions of apps not in `apps` get frames, no webhooks.
    TransitionAnnouncer(bus::Bus& bus, const std::vector<config::AppConfig>& apps,
                        webhooks::WebhookSink* webhooks);

    // Order per batch: occupied, joined, left, vacated. Returns how many frames the bus refused.
    std::size_t announce(const ClusterTransitions& transitions);

  private:
    bool publish(const std::string& appId, const std::string& channel, const std::string& json);
    void webhook(const std::string& appId, webhooks::WebhookEvent::Kind kind, const std::string& channel,
                 const std::string& userId);

    bus::Bus& bus_;
    std::unordered_map<std::string, config::AppConfig> apps_;
    webhooks::WebhookSink* webhooks_;
};

}  // namespace resound::redis
