#pragma once
// Where the protocol reports the channel lifecycle facts that Pusher turns into webhooks. The protocol
// calls emit() on its loop thread at the moment a transition is decided (by the cluster-wide counts in
// ClusterState, so each transition is reported once for the whole cluster); implementations must only
// enqueue: filtering, the vacate/leave grace period, batching, signing and delivery happen elsewhere.
#include <cstddef>
#include <cstdint>
#include <string>

#include "config/Config.h"

namespace resound::webhooks {

struct WebhookEvent {
    enum class Kind {
        ChannelOccupied,
        ChannelVacated,
        MemberAdded,
        MemberRemoved,
        ClientEvent,
        CacheMiss,
        SubscriptionCount,
    };
    Kind kind = Kind::ChannelOccupied;
    std::string channel;
    std::string userId;                 // member_added / member_removed / client_event on presence channels
    std::string event;                  // client_event: the event name
    std::string dataJson;               // client_event: data exactly as the client sent it (JSON)
    std::string socketId;               // client_event: the sender
    std::size_t subscriptionCount = 0;  // subscription_count
    // Stable for the event's whole life (retries, a new sender, a restart): receivers drop repeats by
    // it. "" = the dispatcher assigns one. Not set by the protocol.
    std::string id;
    std::int64_t createdMs = 0;  // Unix ms when it was decided; 0 = when the dispatcher got it
};

class WebhookSink {
  public:
    virtual ~WebhookSink() = default;
    virtual void emit(const config::AppConfig& app, WebhookEvent event) = 0;  // any thread, non-blocking
};

}  // namespace resound::webhooks
