// The bundle's dashboard backend without Redis: the overview from a poller view (node rows, Redis,
// totals equal to what /metrics sums), webhook totals, and publishes through a bus like the API's.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "bus/InMemoryBus.h"
#include "monitor/ClusterBackend.h"
#include "state/InMemoryClusterState.h"

namespace resound::monitor {
namespace {

constexpr std::int64_t kNowMs = 1'700'000'000'000;

NodeStats node(std::string id, std::string service, std::int64_t ageMs, std::string connections) {
    NodeStats n;
    n.node = std::move(id);
    n.heartbeatMs = kNowMs - ageMs;
    applyStatsHash(n, {{"service", service},
                       {"version", "0.3.0"},
                       {"connections", connections},
                       {"channels", "2"},
                       {"messages_in", "5"},
                       {"messages_out", "50"},
                       {"api_requests", "9"},
                       {"api_errors", "1"},
                       {"slow_consumer_closes", "4"},
                       {"rate_limit_hits", "6"},
                       {"started_at", "1699999900"}});
    return n;
}

ClusterPoller::View view() {
    ClusterPoller::View v;
    v.everRead = true;
    v.snapshot.redisUp = true;
    v.snapshot.redisTimeMs = kNowMs;
    v.snapshot.nodes = {node("api-1", "resound-api", 0, "0"), node("edge-a", "resound-edge", 1000, "10"),
                        node("edge-b", "resound-edge", 60000, "7")};
    return v;
}

config::AppConfig app(std::string id) {
    config::AppConfig a;
    a.id = id;
    a.key = id + "-key";
    a.secret = id + "-secret";
    return a;
}

TEST(ClusterBackend, OverviewRowsAndTotalsMatchTheMetricsSums) {
    const ReportOptions options{.staleAfterMs = 10000};
    const dashboard::Snapshot s = clusterSnapshot(view(), options);
    EXPECT_EQ(s.timeMs, kNowMs);
    ASSERT_TRUE(s.redisUp.has_value());
    EXPECT_TRUE(*s.redisUp);
    ASSERT_EQ(s.nodes.size(), 3u);
    EXPECT_EQ(s.nodes[1].id, "edge-a");
    EXPECT_EQ(s.nodes[1].service, "resound-edge");
    EXPECT_EQ(s.nodes[1].version, "0.3.0");
    EXPECT_TRUE(s.nodes[1].up);
    EXPECT_EQ(s.nodes[1].uptimeSeconds, 100);
    EXPECT_EQ(s.nodes[1].connections, 10);
    EXPECT_FALSE(s.nodes[2].up) << "a stale heartbeat is down";
    EXPECT_EQ(s.nodes[2].connections, 0);

    const ClusterSummary summary = summarize(view().snapshot, options);
    EXPECT_EQ(s.totals.connections, static_cast<std::int64_t>(summary.totals.connections));
    EXPECT_EQ(s.totals.connections, 10);
    EXPECT_EQ(s.totals.channels, 4);
    EXPECT_EQ(s.totals.messagesIn, 10u);
    EXPECT_EQ(s.totals.messagesOut, 100u);
    EXPECT_EQ(s.totals.apiRequests, 18u);
    EXPECT_EQ(s.totals.apiErrors, 2u);
    EXPECT_EQ(s.totals.slowConsumerCloses, 8u);
    EXPECT_EQ(s.totals.rateLimitHits, 12u);
    const std::string metrics = renderPrometheus(view().snapshot, options, {});
    EXPECT_NE(metrics.find("resound_cluster_api_requests_total 18\n"), std::string::npos);
    EXPECT_NE(metrics.find("resound_cluster_ws_messages_sent_total 100\n"), std::string::npos);
}

TEST(ClusterBackend, RedisDownOrNotReadYetShowsNoNodes) {
    ClusterPoller::View down = view();
    down.snapshot.redisUp = false;
    const dashboard::Snapshot s = clusterSnapshot(down, {});
    ASSERT_TRUE(s.redisUp.has_value());
    EXPECT_FALSE(*s.redisUp);
    EXPECT_TRUE(s.nodes.empty());
    EXPECT_EQ(s.totals.connections, 0);
    ClusterPoller::View never;
    EXPECT_FALSE(*clusterSnapshot(never, {}).redisUp);
}

TEST(ClusterBackend, WebhookTotalsComeFromTheSendersMetrics) {
    webhooks::WebhookMetrics metrics({"a", "b"});
    metrics.app(0).sent = 3;
    metrics.app(1).sent = 4;
    metrics.app(1).failed = 2;
    metrics.app(0).queued = 5;
    dashboard::Totals totals;
    addWebhookTotals(totals, metrics);
    EXPECT_EQ(totals.webhooksSent, 7u);
    EXPECT_EQ(totals.webhooksFailed, 2u);
    EXPECT_EQ(totals.webhooksQueued, 5);
}

struct BackendFixture : ::testing::Test {
    apps::AppRegistry apps{{app("a1"), app("a2")}};
    state::InMemoryClusterState state;
    bus::InMemoryBus bus;
    dashboard::DebugTap tap;
    std::vector<bus::BusMessagePtr> published;
    ClusterBackend backend{
        ClusterBackend::Parts{apps, state, bus, [] { return view(); }, {}, tap, nullptr, "monitor-x", 0}};

    BackendFixture() {
        bus.addReceiver([this](const bus::BusMessagePtr& m) { published.push_back(m); });
    }
};

TEST_F(BackendFixture, PublishGoesThroughTheBusAndCacheChannelsAreStored) {
    std::vector<dashboard::DebugEvent> rows;
    dashboard::DebugFilter filter;
    filter.appId = "a1";
    auto watching = tap.watch(filter, [&](const dashboard::DebugEvent& e) { rows.push_back(e); });

    const auto outcome = backend.publish("a1", "cache-prices", "tick", R"({"p":1})");
    ASSERT_TRUE(outcome.ok) << outcome.error;
    ASSERT_EQ(published.size(), 1u);
    EXPECT_EQ(published[0]->appId, "a1");
    EXPECT_EQ(published[0]->channel, "cache-prices");
    const auto cached = backend.cachedEvent("a1", "cache-prices");
    ASSERT_TRUE(cached.has_value());
    EXPECT_EQ(cached->eventJson, R"({"event":"tick","channel":"cache-prices","data":"{\"p\":1}"})");
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].kind, dashboard::DebugEvent::Kind::ApiEvent);
    EXPECT_EQ(rows[0].node, "monitor-x");
    EXPECT_EQ(rows[0].bytes, 7u);
    EXPECT_EQ(backend.appIds(), (std::vector<std::string>{"a1", "a2"}));
}

TEST_F(BackendFixture, TheMonitorListsItselfAfterTheNodesRedisKnows) {
    const dashboard::Snapshot s = backend.snapshot();
    ASSERT_EQ(s.nodes.size(), 4u);
    EXPECT_EQ(s.nodes.back().id, "monitor-x");
    EXPECT_EQ(s.nodes.back().service, "resound-monitor");
    EXPECT_TRUE(s.nodes.back().up);
    EXPECT_EQ(s.totals.connections, 10) << "the monitor adds no connections";
}

TEST_F(BackendFixture, BadPublishesAreRefusedWithAStatus) {
    EXPECT_EQ(backend.publish("nope", "c", "e", "d").status, 404);
    EXPECT_EQ(backend.publish("a1", "bad channel", "e", "d").status, 400);
    EXPECT_EQ(backend.publish("a1", "c", "", "d").status, 400);
    EXPECT_EQ(backend.publish("a1", "c", "e", std::string(20000, 'x')).status, 413);
    EXPECT_TRUE(published.empty());
}

TEST_F(BackendFixture, ChannelsAreListedByNameFromTheClusterState) {
    state.addSubscription("a1", "zeta");
    state.addSubscription("a1", "alpha");
    state.addSubscription("a1", "beta");
    state.addSubscription("a2", "alpha");
    const auto list = backend.channels("a1", "");
    ASSERT_EQ(list.size(), 3u);
    EXPECT_EQ(list[0].name, "alpha");
    EXPECT_EQ(list[2].name, "zeta");
    EXPECT_EQ(backend.channels("a1", "b").size(), 1u);
}

}  // namespace
}  // namespace resound::monitor
