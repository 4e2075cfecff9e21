#include "monitor/ClusterReport.h"

#include <cstdio>
#include <map>

#include "json/JsonText.h"
#include "metrics/PrometheusText.h"
#include "service/HealthEndpoints.h"
#include "util/Version.h"

namespace resound::monitor {
namespace {

std::string serviceOf(const NodeStats& node) { return node.service.empty() ? "unknown" : node.service; }

std::string nodeLabels(const NodeStats& node) {
    return "{node=\"" + metrics::escapeLabelValue(node.node) + "\",service=\"" +
           metrics::escapeLabelValue(serviceOf(node)) + "\"}";
}

std::string number(double value) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.3f", value);
    return buffer;
}

void sample(std::string& out, const std::string& name, const std::string& value) {
    out += name;
    out += ' ';
    out += value;
    out += '\n';
}

struct CounterFamily {
    const char* suffix;  // after resound_node_ / resound_cluster_
    const char* type;
    const char* help;
    std::uint64_t NodeCounters::*member;
};

// Prometheus naming: one application prefix (resound_), base units (_bytes, _seconds), counters end in
// _total, labels only of low cardinality (never a channel, socket or user id). The names match the
// edge's own /metrics (resound_connections, ...), with a node_ or cluster_ prefix because these are
// read from Redis for the whole bundle.
constexpr CounterFamily kFamilies[] = {
    {"connections", "gauge", "Open WebSocket connections.", &NodeCounters::connections},
    {"channels", "gauge",
     "Channels with subscribers (summed over nodes: a channel on two nodes counts twice).",
     &NodeCounters::channels},
    {"ws_messages_received_total", "counter", "WebSocket messages received from clients.",
     &NodeCounters::messagesIn},
    {"ws_messages_sent_total", "counter", "WebSocket messages sent to clients.", &NodeCounters::messagesOut},
    {"ws_received_bytes_total", "counter", "Bytes received on WebSocket connections.",
     &NodeCounters::bytesIn},
    {"ws_sent_bytes_total", "counter", "Bytes sent on WebSocket connections.", &NodeCounters::bytesOut},
    {"http_requests_total", "counter", "HTTP requests answered.", &NodeCounters::httpRequests},
    {"api_requests_total", "counter", "Pusher HTTP API requests answered.", &NodeCounters::apiRequests},
    {"api_errors_total", "counter", "Pusher HTTP API requests answered with a 4xx or 5xx status.",
     &NodeCounters::apiErrors},
    {"slow_consumer_disconnects_total", "counter",
     "Connections closed (4100) because their outgoing queue was full.", &NodeCounters::slowConsumerCloses},
    {"client_events_rate_limited_total", "counter", "Client events refused by the rate limit (4301).",
     &NodeCounters::rateLimitHits},
};

}  // namespace

bool isUp(const NodeStats& node, const ClusterSnapshot& snapshot, const ReportOptions& options) {
    return !node.reaped && snapshot.redisTimeMs - node.heartbeatMs <= options.staleAfterMs;
}

ClusterSummary summarize(const ClusterSnapshot& snapshot, const ReportOptions& options) {
    ClusterSummary summary;
    for (const NodeStats& node : snapshot.nodes) {
        if (!isUp(node, snapshot, options)) {
            ++summary.nodesDown;
            continue;
        }
        ++summary.nodesUp;
        for (const CounterFamily& f : kFamilies) summary.totals.*f.member += node.counters.*f.member;
    }
    if (!snapshot.redisUp) summary.status = "unknown";
    else if (snapshot.nodes.empty()) summary.status = "empty";
    else if (summary.nodesUp == 0) summary.status = "down";
    else if (summary.nodesDown > 0) summary.status = "degraded";
    else summary.status = "ok";
    return summary;
}

std::string renderHealthJson(const ClusterSnapshot& snapshot, const ReportOptions& options,
                             const MonitorState& state) {
    const ClusterSummary summary = summarize(snapshot, options);
    std::string out = service::health::healthHead("resound-monitor", state.draining);
    out += ",\"redis\":";
    out += snapshot.redisUp ? "\"up\"" : "\"down\"";
    if (!snapshot.redisUp) {
        out += ",\"redis_error\":";
        json::appendQuoted(out, snapshot.redisError);
    }
    out += ",\"draining\":";
    out += state.draining ? "true" : "false";
    out += ",\"snapshot_age_seconds\":" + number(state.snapshotAgeSeconds);
    out += ",\"cluster\":";
    json::appendQuoted(out, summary.status);
    out += ",\"nodes_up\":" + std::to_string(summary.nodesUp);
    out += ",\"nodes_down\":" + std::to_string(summary.nodesDown);
    out += ",\"totals\":{\"connections\":" + std::to_string(summary.totals.connections) +
           ",\"channels\":" + std::to_string(summary.totals.channels) +
           ",\"messages_in\":" + std::to_string(summary.totals.messagesIn) +
           ",\"messages_out\":" + std::to_string(summary.totals.messagesOut) + "}";
    out += ",\"nodes\":[";
    bool first = true;
    for (const NodeStats& node : snapshot.redisUp ? snapshot.nodes : std::vector<NodeStats>{}) {
        out += first ? "{" : ",{";
        first = false;
        out += "\"node\":";
        json::appendQuoted(out, node.node);
        out += ",\"service\":";
        json::appendQuoted(out, serviceOf(node));
        out += ",\"version\":";
        json::appendQuoted(out, node.version);
        out += ",\"host\":";
        json::appendQuoted(out, node.host);
        out += ",\"up\":";
        out += isUp(node, snapshot, options) ? "true" : "false";
        if (node.reaped) out += ",\"reaped\":true";
        out += ",\"heartbeat_age_seconds\":" + number((snapshot.redisTimeMs - node.heartbeatMs) / 1000.0);
        out += ",\"connections\":" + std::to_string(node.counters.connections);
        out += ",\"channels\":" + std::to_string(node.counters.channels);
        out += '}';
    }
    out += "]}";
    return out;
}

std::string renderPrometheus(const ClusterSnapshot& snapshot, const ReportOptions& options,
                             const MonitorState& state) {
    std::string out;
    metrics::appendFamily(out, "resound_redis_up", "gauge",
                          "Whether the monitor's last read of Redis succeeded.");
    sample(out, "resound_redis_up", snapshot.redisUp ? "1" : "0");
    metrics::appendFamily(out, "resound_redis_reconnects_total", "counter",
                          "Reconnections of the monitor to Redis.");
    sample(out, "resound_redis_reconnects_total", std::to_string(state.redisReconnects));
    metrics::appendFamily(out, "resound_monitor_redis_failures_total", "counter",
                          "Failed reads of Redis by the monitor.");
    sample(out, "resound_monitor_redis_failures_total", std::to_string(state.redisFailures));
    metrics::appendFamily(out, "resound_monitor_snapshot_age_seconds", "gauge",
                          "Age of the data behind this answer.");
    sample(out, "resound_monitor_snapshot_age_seconds", number(state.snapshotAgeSeconds));
    metrics::appendFamily(out, "resound_build_info", "gauge", "Version of the running binary.");
    sample(out,
           "resound_build_info{service=\"resound-monitor\",version=\"" + metrics::escapeLabelValue(kVersion) +
               "\"}",
           "1");
    if (!snapshot.redisUp) return out;  // nothing is known about the nodes

    const ClusterSummary summary = summarize(snapshot, options);
    std::map<std::string, std::pair<std::size_t, std::size_t>> byService;  // up, down
    for (const NodeStats& node : snapshot.nodes) {
        auto& counts = byService[serviceOf(node)];
        (isUp(node, snapshot, options) ? counts.first : counts.second)++;
    }
    metrics::appendFamily(out, "resound_cluster_nodes", "gauge",
                          "Nodes with a recent heartbeat (up) or a stale one (down).");
    for (const auto& [service, counts] : byService) {
        sample(out,
               "resound_cluster_nodes{service=\"" + metrics::escapeLabelValue(service) + "\",state=\"up\"}",
               std::to_string(counts.first));
        sample(out,
               "resound_cluster_nodes{service=\"" + metrics::escapeLabelValue(service) + "\",state=\"down\"}",
               std::to_string(counts.second));
    }
    for (const CounterFamily& f : kFamilies) {
        const std::string name = std::string("resound_cluster_") + f.suffix;
        const std::string help = std::string(f.help) + " Sum over the nodes that are up.";
        metrics::appendFamily(out, name.c_str(), f.type, help.c_str());
        sample(out, name, std::to_string(summary.totals.*f.member));
    }

    metrics::appendFamily(out, "resound_node_up", "gauge",
                          "1 while the node's heartbeat is fresh, 0 once it is stale.");
    for (const NodeStats& node : snapshot.nodes) {
        sample(out, "resound_node_up" + nodeLabels(node), isUp(node, snapshot, options) ? "1" : "0");
    }
    metrics::appendFamily(out, "resound_node_heartbeat_age_seconds", "gauge",
                          "Seconds since the node's last heartbeat.");
    for (const NodeStats& node : snapshot.nodes) {
        sample(out, "resound_node_heartbeat_age_seconds" + nodeLabels(node),
               number((snapshot.redisTimeMs - node.heartbeatMs) / 1000.0));
    }
    metrics::appendFamily(out, "resound_node_info", "gauge", "Version and host of each node.");
    for (const NodeStats& node : snapshot.nodes) {
        sample(out,
               "resound_node_info{node=\"" + metrics::escapeLabelValue(node.node) + "\",service=\"" +
                   metrics::escapeLabelValue(serviceOf(node)) + "\",version=\"" +
                   metrics::escapeLabelValue(node.version) + "\",host=\"" +
                   metrics::escapeLabelValue(node.host) + "\"}",
               "1");
    }
    metrics::appendFamily(out, "resound_node_start_time_seconds", "gauge",
                          "Start time of each node (Unix seconds).");
    for (const NodeStats& node : snapshot.nodes) {
        if (node.startedAtSeconds)
            sample(out, "resound_node_start_time_seconds" + nodeLabels(node), number(*node.startedAtSeconds));
    }
    // Stats only for nodes that are up: a stale node's last numbers would read as current.
    for (const CounterFamily& f : kFamilies) {
        const std::string name = std::string("resound_node_") + f.suffix;
        metrics::appendFamily(out, name.c_str(), f.type, f.help);
        for (const NodeStats& node : snapshot.nodes) {
            if (isUp(node, snapshot, options) && node.hasStats) {
                sample(out, name + nodeLabels(node), std::to_string(node.counters.*f.member));
            }
        }
    }
    return out;
}

}  // namespace resound::monitor
