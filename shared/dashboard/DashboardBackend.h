#pragma once
// What the dashboard reads and does, apart from how it is served: the all-in-one server answers
// from its own counters and in-memory state (EmbeddedBackend), resound-monitor from the bundle's
// node stats and cluster state in Redis (ClusterBackend). The dashboard's HTTP handler and its tests
// see only this interface. Any thread; snapshot() never blocks on the network (it reads counters or
// the poller's latest view); the channel reads and publish() may take one bounded Redis round trip.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "dashboard/DebugTap.h"
#include "state/ClusterState.h"

namespace resound::dashboard {

// Counters exactly as /metrics shows them at the same moment (gauges and monotonic totals; the page
// derives per-second rates from two snapshots).
struct Totals {
    std::int64_t connections = 0;          // open WebSocket connections
    std::int64_t channels = 0;             // occupied channels (sum over nodes in the bundle)
    std::uint64_t messagesIn = 0;          // WebSocket messages received
    std::uint64_t messagesOut = 0;         // WebSocket messages queued to clients
    std::uint64_t apiRequests = 0;         // HTTP API requests answered
    std::uint64_t apiErrors = 0;           // of which 4xx/5xx
    std::uint64_t webhooksSent = 0;        // deliveries a target accepted
    std::uint64_t webhooksFailed = 0;      // attempts that failed (each retry counts)
    std::int64_t webhooksQueued = 0;       // waiting for delivery or retry now
    std::uint64_t slowConsumerCloses = 0;  // 4100
    std::uint64_t rateLimitHits = 0;       // client events refused by the rate limit (4301)
};

struct NodeRow {
    std::string id;
    std::string service;  // resound, resound-edge, resound-api, resound-monitor
    std::string version;
    bool up = true;
    std::int64_t uptimeSeconds = 0;
    std::int64_t connections = 0;
};

struct Snapshot {
    std::int64_t timeMs = 0;  // Unix ms the counters were read
    Totals totals;
    std::vector<NodeRow> nodes;   // one row (this process) in the all-in-one server
    std::optional<bool> redisUp;  // nullopt when there is no Redis (embedded)
};

struct PublishOutcome {
    bool ok = false;
    int status = 200;   // HTTP status the dashboard answers with (400 bad input, 503 bus down, ...)
    std::string error;  // why not, when !ok
};

class DashboardBackend {
  public:
    virtual ~DashboardBackend() = default;

    virtual Snapshot snapshot() = 0;
    virtual std::vector<std::string> appIds() = 0;  // configured apps, in config order

    // Occupied channels of one app whose name starts with `prefix`, sorted by name.
    virtual std::vector<state::ChannelSummary> channels(const std::string& appId,
                                                        const std::string& prefix) = 0;
    virtual std::vector<state::PresenceMember> members(const std::string& appId,
                                                       const std::string& channel) = 0;
    virtual std::optional<state::CachedEvent> cachedEvent(const std::string& appId,
                                                          const std::string& channel) = 0;

    // Publishes `event` with `data` (sent as the event's data string) to one channel of one app, as
    // the HTTP API would (cache channels store it), signed by nothing: the caller is the logged-in
    // operator, so the browser never holds the app secret.
    virtual PublishOutcome publish(const std::string& appId, const std::string& channel,
                                   const std::string& event, const std::string& data) = 0;

    // Where this process's (or, in the bundle, the whole cluster's) debug events arrive.
    virtual DebugTap& tap() = 0;
};

}  // namespace resound::dashboard
