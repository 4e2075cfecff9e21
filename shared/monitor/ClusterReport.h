#pragma once
// Turns one read of Redis (ClusterSnapshot) into the monitor's answers: node up/down by heartbeat age,
// cluster totals, the /health JSON and the /metrics Prometheus text. Pure functions, any thread.
#include <cstdint>
#include <string>
#include <vector>

#include "monitor/NodeStats.h"

namespace resound::monitor {

struct ClusterSnapshot {
    bool redisUp = false;          // this read succeeded
    std::string redisError;        // why not, when !redisUp
    std::int64_t redisTimeMs = 0;  // Redis TIME at the read: heartbeats are Redis time too, so no clock skew
    std::vector<NodeStats> nodes;  // sorted by node id
};

struct ReportOptions {
    std::int64_t staleAfterMs = 10000;  // a heartbeat older than this means the node is down
};

struct MonitorState {
    std::uint64_t redisReconnects = 0;  // successful connects after the first
    std::uint64_t redisFailures = 0;    // failed reads
    double snapshotAgeSeconds = 0;      // since the snapshot was taken
    bool draining = false;
};

struct ClusterSummary {
    std::size_t nodesUp = 0;
    std::size_t nodesDown = 0;
    NodeCounters totals;  // over nodes that are up
    std::string status;   // ok, degraded (some down), down (none up), empty (no nodes), unknown (no Redis)
};

bool isUp(const NodeStats& node, const ClusterSnapshot& snapshot, const ReportOptions& options);
ClusterSummary summarize(const ClusterSnapshot& snapshot, const ReportOptions& options);

// Liveness body: always describes Redis reachability and, when Redis answered, every node.
std::string renderHealthJson(const ClusterSnapshot& snapshot, const ReportOptions& options,
                             const MonitorState& state);
std::string renderPrometheus(const ClusterSnapshot& snapshot, const ReportOptions& options,
                             const MonitorState& state);

}  // namespace resound::monitor
