// EmbeddedBackend: the all-in-one server's counters as /metrics renders them, its state, and
// publishing as the HTTP API does.
#include <gtest/gtest.h>

#include "bus/InMemoryBus.h"
#include "dashboard/EmbeddedBackend.h"
#include "state/InMemoryClusterState.h"
#include "webhooks/WebhookMetrics.h"

namespace resound::dashboard {
namespace {

config::AppConfig app(std::string id) {
    config::AppConfig a;
    a.id = id;
    a.key = id + "-key";
    a.secret = id + "-secret";
    a.maxEventPayloadBytes = 64;
    return a;
}

class EmbeddedBackendTest : public ::testing::Test {
  protected:
    EmbeddedBackendTest() : apps_({app("one"), app("two")}), metrics_(2), webhookMetrics_({"one", "two"}) {
        bus_.addReceiver([this](const bus::BusMessagePtr& message) { received_.push_back(message); });
    }
    EmbeddedBackend backend(bool webhooks = true) {
        EmbeddedBackend::Sources sources{apps_, state_, bus_, metrics_, tap_};
        sources.webhooks = webhooks ? &webhookMetrics_ : nullptr;
        sources.nodeId = "node-a";
        return EmbeddedBackend(std::move(sources));
    }

    apps::AppRegistry apps_;
    state::InMemoryClusterState state_;
    bus::InMemoryBus bus_;
    metrics::Metrics metrics_;
    webhooks::WebhookMetrics webhookMetrics_;
    DebugTap tap_;
    std::vector<bus::BusMessagePtr> received_;
};

TEST_F(EmbeddedBackendTest, SnapshotSumsWhatMetricsRenders) {
    metrics::LoopCounters::add(metrics_.loop(0).connections, 2);
    metrics::LoopCounters::add(metrics_.loop(1).connections, 3);
    metrics::LoopCounters::add(metrics_.loop(1).localChannels, 4);
    metrics::LoopCounters::add(metrics_.loop(0).messagesIn, 10);
    metrics::LoopCounters::add(metrics_.loop(1).messagesOut, 20);
    metrics::LoopCounters::add(metrics_.loop(0).slowConsumerCloses, 1);
    metrics::LoopCounters::add(metrics_.loop(1).rateLimitHits, 6);
    metrics_.countApiResponse(200);
    metrics_.countApiResponse(413);
    webhookMetrics_.app(0).sent = 5;
    webhookMetrics_.app(1).failed = 2;
    webhookMetrics_.app(1).queued = 1;
    auto b = backend();
    const Snapshot s = b.snapshot();
    EXPECT_GT(s.timeMs, 0);
    EXPECT_EQ(s.totals.connections, 5);
    EXPECT_EQ(s.totals.channels, 4);
    EXPECT_EQ(s.totals.messagesIn, 10u);
    EXPECT_EQ(s.totals.messagesOut, 20u);
    EXPECT_EQ(s.totals.apiRequests, 2u);
    EXPECT_EQ(s.totals.apiErrors, 1u);
    EXPECT_EQ(s.totals.slowConsumerCloses, 1u);
    EXPECT_EQ(s.totals.rateLimitHits, 6u);
    EXPECT_EQ(s.totals.webhooksSent, 5u);
    EXPECT_EQ(s.totals.webhooksFailed, 2u);
    EXPECT_EQ(s.totals.webhooksQueued, 1);
    ASSERT_EQ(s.nodes.size(), 1u);
    EXPECT_EQ(s.nodes[0].id, "node-a");
    EXPECT_EQ(s.nodes[0].connections, 5);
    EXPECT_FALSE(s.redisUp);
    // The same numbers /metrics shows.
    const std::string text = metrics_.renderPrometheus();
    EXPECT_NE(text.find("resound_connections 5\n"), std::string::npos);
    EXPECT_NE(text.find("resound_api_errors_total 1\n"), std::string::npos);
    EXPECT_EQ(backend(false).snapshot().totals.webhooksSent, 0u);
}

TEST_F(EmbeddedBackendTest, ReadsAppsChannelsMembersAndTheCache) {
    auto b = backend();
    EXPECT_EQ(b.appIds(), (std::vector<std::string>{"one", "two"}));
    state_.addSubscription("one", "zeta");
    state_.addSubscription("one", "alpha");
    state_.addSubscription("two", "other");
    const auto channels = b.channels("one", "");
    ASSERT_EQ(channels.size(), 2u);
    EXPECT_EQ(channels[0].name, "alpha");  // sorted
    state_.joinPresence("one", "presence-r", {"u1", "\"u1\"", "{\"n\":1}"}, 10);
    ASSERT_EQ(b.members("one", "presence-r").size(), 1u);
    EXPECT_EQ(b.members("one", "presence-r")[0].infoJson, "{\"n\":1}");
}

TEST_F(EmbeddedBackendTest, PublishesLikeTheApiAndTellsTheConsole) {
    auto b = backend();
    std::vector<DebugEvent> seen;
    DebugFilter filter;
    filter.appId = "one";
    auto watch = tap_.watch(filter, [&](const DebugEvent& e) { seen.push_back(e); });
    const auto ok = b.publish("one", "cache-prices", "tick", "{\"p\":1}");
    ASSERT_TRUE(ok.ok) << ok.error;
    ASSERT_EQ(received_.size(), 1u);
    EXPECT_EQ(received_[0]->channel, "cache-prices");
    EXPECT_NE(received_[0]->frame->find("\"event\":\"tick\""), std::string::npos);
    ASSERT_TRUE(b.cachedEvent("one", "cache-prices"));  // cache channels keep it, as with the API
    ASSERT_EQ(seen.size(), 1u);
    EXPECT_EQ(seen[0].kind, DebugEvent::Kind::ApiEvent);
    EXPECT_EQ(seen[0].bytes, 7u);
    EXPECT_NE(metrics_.renderPrometheus().find("resound_events_published_total 1\n"), std::string::npos);

    const auto huge = b.publish("one", "c", "e", std::string(65, 'x'));
    EXPECT_FALSE(huge.ok);
    EXPECT_EQ(huge.status, 413);
    EXPECT_NE(huge.error.find("max_event_payload_bytes"), std::string::npos);
    EXPECT_EQ(b.publish("nope", "c", "e", "x").status, 404);
    EXPECT_EQ(received_.size(), 1u);
}

}  // namespace
}  // namespace resound::dashboard
