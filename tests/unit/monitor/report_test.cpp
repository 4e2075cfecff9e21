// Socket-free: stats parsing, up/down by heartbeat age, totals, /health JSON, Prometheus text, endpoints.
#include <Poco/JSON/Parser.h>
#include <gtest/gtest.h>

#include "monitor/ClusterPoller.h"
#include "monitor/ClusterReport.h"
#include "monitor/MonitorEndpoints.h"
#include "redis/KeySchema.h"

namespace resound::monitor {
namespace {

constexpr std::int64_t kNowMs = 1'700'000'000'000;

NodeStats node(std::string id, std::string service, std::int64_t ageMs, std::uint64_t connections,
               std::uint64_t messagesOut) {
    NodeStats n;
    n.node = std::move(id);
    n.heartbeatMs = kNowMs - ageMs;
    applyStatsHash(n, {{"service", service},
                       {"version", "0.1.0"},
                       {"host", "h1"},
                       {"connections", std::to_string(connections)},
                       {"channels", "3"},
                       {"messages_out", std::to_string(messagesOut)},
                       {"started_at", "1699999000"}});
    return n;
}

ClusterSnapshot snapshot() {
    ClusterSnapshot s;
    s.redisUp = true;
    s.redisTimeMs = kNowMs;
    s.nodes = {node("edge-a", "resound-edge", 1500, 10, 100), node("edge-b", "resound-edge", 60000, 7, 70),
               node("api-1", "resound-api", 0, 0, 5)};
    return s;
}

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

TEST(NodeStats, ParsesKnownFieldsAndToleratesTheRest) {
    NodeStats n;
    applyStatsHash(n, {{"service", "resound-edge"},
                       {"connections", "12"},
                       {"bytes_in", "1.5e3"},
                       {"bytes_out", "garbage"},
                       {"future_field", "x"},
                       {"started_at", "1700000000123"}});
    EXPECT_TRUE(n.hasStats);
    EXPECT_EQ(n.service, "resound-edge");
    EXPECT_EQ(n.counters.connections, 12u);
    EXPECT_EQ(n.counters.bytesIn, 1500u);
    EXPECT_EQ(n.counters.bytesOut, 0u);
    ASSERT_TRUE(n.startedAtSeconds);
    EXPECT_DOUBLE_EQ(*n.startedAtSeconds, 1700000000.123);  // milliseconds recognised
    NodeStats empty;
    applyStatsHash(empty, {});
    EXPECT_FALSE(empty.hasStats);
    EXPECT_EQ(redis::keys::nodeStats("n1"), "resound:node:n1:stats");  // what the monitor reads
}

TEST(ClusterReport, StaleHeartbeatMeansDownAndTotalsCountOnlyLiveNodes) {
    const ClusterSummary summary = summarize(snapshot(), {.staleAfterMs = 10000});
    EXPECT_EQ(summary.nodesUp, 2u);
    EXPECT_EQ(summary.nodesDown, 1u);
    EXPECT_EQ(summary.totals.connections, 10u);
    EXPECT_EQ(summary.totals.messagesOut, 105u);
    EXPECT_EQ(summary.totals.channels, 6u);
    EXPECT_EQ(summary.status, "degraded");

    ClusterSnapshot s = snapshot();
    s.nodes.erase(s.nodes.begin() + 1);
    EXPECT_EQ(summarize(s, {}).status, "ok");
    s.nodes.clear();
    EXPECT_EQ(summarize(s, {}).status, "empty");
    s = snapshot();
    for (auto& n : s.nodes) n.heartbeatMs = kNowMs - 20000;
    EXPECT_EQ(summarize(s, {}).status, "down");
    s.redisUp = false;
    EXPECT_EQ(summarize(s, {}).status, "unknown");
}

TEST(ClusterReport, PrometheusPerNodeAndTotals) {
    const std::string text = renderPrometheus(snapshot(), {.staleAfterMs = 10000}, {.redisReconnects = 2});
    EXPECT_TRUE(contains(text, "resound_redis_up 1\n"));
    EXPECT_TRUE(contains(text, "resound_redis_reconnects_total 2\n"));
    EXPECT_TRUE(contains(text, "resound_node_up{node=\"edge-a\",service=\"resound-edge\"} 1\n"));
    EXPECT_TRUE(contains(text, "resound_node_up{node=\"edge-b\",service=\"resound-edge\"} 0\n"));
    EXPECT_TRUE(contains(text, "resound_node_up{node=\"api-1\",service=\"resound-api\"} 1\n"));
    EXPECT_TRUE(contains(
        text, "resound_node_heartbeat_age_seconds{node=\"edge-a\",service=\"resound-edge\"} 1.500\n"));
    EXPECT_TRUE(contains(text, "resound_node_connections{node=\"edge-a\",service=\"resound-edge\"} 10\n"));
    EXPECT_FALSE(contains(text, "resound_node_connections{node=\"edge-b\""));  // stale numbers are not shown
    EXPECT_TRUE(
        contains(text, "resound_node_ws_messages_sent_total{node=\"api-1\",service=\"resound-api\"} 5\n"));
    EXPECT_TRUE(contains(text, "resound_cluster_connections 10\n"));
    EXPECT_TRUE(contains(text, "resound_cluster_ws_messages_sent_total 105\n"));
    EXPECT_TRUE(contains(text, "resound_cluster_nodes{service=\"resound-edge\",state=\"up\"} 1\n"));
    EXPECT_TRUE(contains(text, "resound_cluster_nodes{service=\"resound-edge\",state=\"down\"} 1\n"));
    EXPECT_TRUE(contains(
        text, "resound_node_start_time_seconds{node=\"edge-a\",service=\"resound-edge\"} 1699999000.000\n"));
    EXPECT_TRUE(contains(text, "# TYPE resound_cluster_ws_sent_bytes_total counter\n"));
    EXPECT_TRUE(contains(text, "# TYPE resound_node_connections gauge\n"));
    // Every sample line belongs to a declared family.
    std::size_t start = 0;
    while (start < text.size()) {
        const std::size_t end = text.find('\n', start);
        const std::string line = text.substr(start, end - start);
        start = end + 1;
        if (line.empty() || line[0] == '#') continue;
        const std::string name = line.substr(0, line.find_first_of("{ "));
        EXPECT_TRUE(contains(text, "# TYPE " + name + " ")) << line;
    }
}

TEST(ClusterReport, LabelValuesAreEscaped) {
    ClusterSnapshot s;
    s.redisUp = true;
    s.redisTimeMs = kNowMs;
    s.nodes = {node("we\"ird\\id\n", "", 0, 1, 1)};
    const std::string text = renderPrometheus(s, {}, {});
    EXPECT_TRUE(contains(text, "resound_node_up{node=\"we\\\"ird\\\\id\\n\",service=\"unknown\"} 1\n"))
        << text;
}

TEST(ClusterReport, RedisDownStillAnswersWithoutNodeData) {
    ClusterSnapshot s;
    s.redisError = "Connection refused";
    const std::string text = renderPrometheus(s, {}, {.redisFailures = 3});
    EXPECT_TRUE(contains(text, "resound_redis_up 0\n"));
    EXPECT_TRUE(contains(text, "resound_monitor_redis_failures_total 3\n"));
    EXPECT_FALSE(contains(text, "resound_node_up"));
    const std::string json = renderHealthJson(s, {}, {});
    Poco::JSON::Parser parser;
    const auto object = parser.parse(json).extract<Poco::JSON::Object::Ptr>();
    EXPECT_EQ(object->getValue<std::string>("status"), "ok");
    EXPECT_EQ(object->getValue<std::string>("redis"), "down");
    EXPECT_EQ(object->getValue<std::string>("redis_error"), "Connection refused");
    EXPECT_EQ(object->getValue<std::string>("cluster"), "unknown");
}

TEST(ClusterReport, HealthJsonListsNodes) {
    const std::string json = renderHealthJson(snapshot(), {.staleAfterMs = 10000}, {});
    Poco::JSON::Parser parser;
    const auto object = parser.parse(json).extract<Poco::JSON::Object::Ptr>();
    EXPECT_EQ(object->getValue<std::string>("redis"), "up");
    EXPECT_EQ(object->getValue<std::string>("cluster"), "degraded");
    EXPECT_EQ(object->getValue<int>("nodes_up"), 2);
    EXPECT_EQ(object->getValue<int>("nodes_down"), 1);
    EXPECT_EQ(object->getObject("totals")->getValue<int>("connections"), 10);
    const auto nodes = object->getArray("nodes");
    ASSERT_EQ(nodes->size(), 3u);
    EXPECT_EQ(nodes->getObject(1)->getValue<std::string>("node"), "edge-b");
    EXPECT_FALSE(nodes->getObject(1)->getValue<bool>("up"));
}

TEST(MonitorEndpoints, HealthIsAlways200ReadyFollowsRedis) {
    ClusterPoller::View view;
    MonitorEndpoints endpoints([&view] { return view; }, {});
    service::HttpExchange get;
    get.method = "GET";
    get.path = "/ready";
    EXPECT_EQ(endpoints.handle(get).status, 503);  // before the first read
    EXPECT_EQ(endpoints.handle(get).body,
              R"({"error":"first read of Redis not finished yet","code":503,"reason":"starting"})");
    view.everRead = true;
    view.snapshot.redisError = "Connection refused";
    EXPECT_EQ(endpoints.handle(get).status, 503);
    EXPECT_EQ(endpoints.handle(get).body,
              R"({"error":"Connection refused","code":503,"reason":"redis_down"})");
    get.path = "/up";
    EXPECT_EQ(endpoints.handle(get).body, R"({"health":"OK"})");
    get.path = "/ready";
    get.path = "/health";
    EXPECT_EQ(endpoints.handle(get).status, 200);
    view.snapshot = snapshot();
    get.path = "/ready";
    EXPECT_EQ(endpoints.handle(get).status, 200);
    get.path = "/metrics";
    EXPECT_EQ(endpoints.handle(get).contentType, "text/plain; version=0.0.4");
    get.path = "/nope";
    EXPECT_EQ(endpoints.handle(get).status, 404);
    get.path = "/metrics";
    get.method = "POST";
    EXPECT_EQ(endpoints.handle(get).status, 405);
    get.method = "GET";
    get.path = "/ready";
    endpoints.setDraining();
    EXPECT_EQ(endpoints.handle(get).status, 503);
}

TEST(ClusterPoller, BackoffDoublesCapsAndJitters) {
    const ClusterPoller::Options options{.interval = std::chrono::milliseconds(2000),
                                         .backoffMin = std::chrono::milliseconds(250),
                                         .backoffMax = std::chrono::milliseconds(10000)};
    EXPECT_EQ(ClusterPoller::backoff(1, options, 1.0).count(), 250);
    EXPECT_EQ(ClusterPoller::backoff(2, options, 1.0).count(), 500);
    EXPECT_EQ(ClusterPoller::backoff(4, options, 1.0).count(), 2000);
    EXPECT_EQ(ClusterPoller::backoff(10, options, 1.0).count(), 10000);
    EXPECT_EQ(ClusterPoller::backoff(1000, options, 1.0).count(), 10000);
    EXPECT_EQ(ClusterPoller::backoff(10, options, 0.0).count(), 5000);
}

}  // namespace
}  // namespace resound::monitor

namespace resound::monitor {
namespace {

TEST(ClusterReport, OverviewCountersAreParsedAndSummedOverLiveNodes) {
    ClusterSnapshot s;
    s.redisUp = true;
    s.redisTimeMs = kNowMs;
    const std::vector<std::pair<std::string, std::string>> fields = {{"service", "resound-edge"},
                                                                     {"api_requests", "7"},
                                                                     {"api_errors", "2"},
                                                                     {"slow_consumer_closes", "3"},
                                                                     {"rate_limit_hits", "11"}};
    for (const char* id : {"a", "b", "dead"}) {
        NodeStats n;
        n.node = id;
        n.heartbeatMs = std::string(id) == "dead" ? kNowMs - 60000 : kNowMs;
        applyStatsHash(n, fields);
        s.nodes.push_back(n);
    }
    EXPECT_EQ(s.nodes[0].counters.apiRequests, 7u);
    EXPECT_EQ(s.nodes[0].counters.apiErrors, 2u);
    EXPECT_EQ(s.nodes[0].counters.slowConsumerCloses, 3u);
    EXPECT_EQ(s.nodes[0].counters.rateLimitHits, 11u);
    const ClusterSummary summary = summarize(s, {.staleAfterMs = 10000});
    EXPECT_EQ(summary.totals.apiRequests, 14u);
    EXPECT_EQ(summary.totals.rateLimitHits, 22u);
    const std::string text = renderPrometheus(s, {.staleAfterMs = 10000}, {});
    EXPECT_TRUE(contains(text, "resound_cluster_api_requests_total 14\n"));
    EXPECT_TRUE(contains(text, "resound_cluster_api_errors_total 4\n"));
    EXPECT_TRUE(contains(text, "resound_cluster_slow_consumer_disconnects_total 6\n"));
    EXPECT_TRUE(contains(text, "resound_cluster_client_events_rate_limited_total 22\n"));
}

}  // namespace
}  // namespace resound::monitor
