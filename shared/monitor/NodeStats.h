#pragma once
// What the monitor knows about one node of the bundle: its heartbeat in redis::keys::nodes() and the
// stats hash it refreshes (redis::keys::nodeStats(id)); the names come from shared/redis/KeySchema.h
// only. Pure data + parsing; any thread.
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace resound::monitor {

struct NodeCounters {
    std::uint64_t connections = 0;  // gauge
    std::uint64_t channels = 0;     // gauge
    std::uint64_t messagesIn = 0;   // counters from here on
    std::uint64_t messagesOut = 0;
    std::uint64_t bytesIn = 0;
    std::uint64_t bytesOut = 0;
    std::uint64_t httpRequests = 0;
    std::uint64_t apiRequests = 0;         // Pusher HTTP API requests answered (resound-api, resound)
    std::uint64_t apiErrors = 0;           // of which 4xx/5xx
    std::uint64_t slowConsumerCloses = 0;  // connections closed with 4100 for a full queue
    std::uint64_t rateLimitHits = 0;       // client events refused by the rate limit (4301)
};

struct NodeStats {
    std::string node;
    std::int64_t heartbeatMs = 0;  // score in resound:nodes
    bool hasStats = false;         // the stats hash still existed (it expires 30 s after the last beat)
    bool reaped = false;           // gone from resound:nodes after dying; remembered by the monitor
    std::string service;           // e.g. resound-edge; "" when unknown
    std::string version;
    std::string host;
    std::optional<double> startedAtSeconds;
    NodeCounters counters;
};

// Fills the stats fields of `node` from an HGETALL reply (field, value pairs). Unknown fields are
// ignored and unparsable numbers read as 0, so a newer node cannot break an older monitor.
void applyStatsHash(NodeStats& node, const std::vector<std::pair<std::string, std::string>>& fields);

}  // namespace resound::monitor
