// The bundle's debug relay against a private redis-server: a console on the monitor's tap registers
// its filter, a node installs it within a poll and ships only what it takes, the monitor re-emits it,
// and closing the console removes the registration and the node's watch. Plus the pure codecs.
#include <gtest/gtest.h>

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "RedisServer.h"
#include "dashboard/DebugRelay.h"
#include "redis/CommandClient.h"
#include "redis/KeySchema.h"

namespace resound::dashboard {
namespace {

using namespace std::chrono_literals;
using redis::testing::eventually;
using redis::testing::RedisServer;

DebugFilter filterOf(std::string app, std::string channel = "", std::string event = "") {
    DebugFilter filter;
    filter.appId = std::move(app);
    filter.channel = std::move(channel);
    filter.event = std::move(event);
    return filter;
}

DebugEvent clientEvent(std::string channel, std::string name, std::string detail = "{}") {
    DebugEvent event;
    event.kind = DebugEvent::Kind::ClientEvent;
    event.timeMs = 1'700'000'000'000;
    event.appId = "app";
    event.channel = std::move(channel);
    event.event = std::move(name);
    event.socketId = "1.2";
    event.bytes = detail.size();
    event.detail = std::move(detail);
    return event;
}

struct Console {
    std::mutex mutex;
    std::vector<DebugEvent> events;
    std::unique_ptr<DebugTap::Watch> watch;
    Console(DebugTap& tap, DebugFilter filter) {
        watch = tap.watch(std::move(filter), [this](const DebugEvent& event) {
            std::lock_guard lock(mutex);
            events.push_back(event);
        });
    }
    std::vector<DebugEvent> seen() {
        std::lock_guard lock(mutex);
        return events;
    }
};

// A monitor and one node on one Redis, with short intervals.
struct Bundle {
    std::shared_ptr<redis::CommandClient> redis;
    DebugTap monitorTap;
    DebugTap nodeTap;
    DebugRelayCollector collector;
    DebugRelay relay;

    explicit Bundle(const RedisServer& server)
        : redis(std::make_shared<redis::CommandClient>(server.options())),
          collector(redis, server.options(), monitorTap, "monitor-1",
                    CollectorOptions{.checkInterval = 20ms, .refreshInterval = 200ms, .keyTtl = 2000ms}),
          relay(
              redis, nodeTap, [] { return std::string("edge-a-g1"); },
              RelayOptions{.pollInterval = 50ms, .staleAfter = 2000ms, .queueLimit = 100, .batchLimit = 10}) {
        collector.start();
        relay.start();
    }
};

TEST(DebugRelayCodec, RegistrationsRoundTripAndStaleOnesAreIgnored) {
    const std::vector<DebugFilter> filters = {filterOf("a", "orders-*", "ship*"), filterOf("b")};
    const std::string fresh = encodeWatchRegistration(filters, 5000);
    const std::string stale = encodeWatchRegistration({filterOf("c")}, 1000);
    const auto decoded = decodeWatchRegistrations(
        {fresh, stale, "garbage", R"({"updated_ms":9999,"filters":[{"app":"d","channel":"(a|b)*"}]})"}, 2000);
    ASSERT_EQ(decoded.size(), 2u) << "the stale one, the garbage and the unusable pattern are left out";
    EXPECT_TRUE(sameFilters(decoded, filters));
}

TEST(DebugRelayCodec, OneRelayFilterPerAppWidenedWhenConsolesDisagree) {
    const auto same = relayFilters({filterOf("a", "x*"), filterOf("a", "x*"), filterOf("b", "", "e")});
    ASSERT_EQ(same.size(), 2u);
    EXPECT_EQ(same[0].channel, "x*");
    EXPECT_EQ(same[1].event, "e");
    const auto widened = relayFilters({filterOf("a", "x*"), filterOf("a", "y*")});
    ASSERT_EQ(widened.size(), 1u);
    EXPECT_EQ(widened[0].channel, "");
    EXPECT_EQ(widened[0].event, "");
}

TEST(DebugRelayCodec, BatchesSplitOnNewlinesAndSkipBadLines) {
    const std::string payload = toJson(clientEvent("c1", "client-a", "line\nbreak")) + "\nnot json\n" +
                                toJson(clientEvent("c2", "client-b"));
    const auto events = decodeEventBatch(payload);
    ASSERT_EQ(events.size(), 2u);
    EXPECT_EQ(events[0].detail, "line\nbreak");
    EXPECT_EQ(events[1].channel, "c2");
}

TEST(DebugRelay, AConsoleOnTheMonitorSeesTheNodesMatchingEventsOnly) {
    SKIP_WITHOUT_REDIS();
    RedisServer server;
    Bundle bundle(server);
    EXPECT_FALSE(bundle.nodeTap.active()) << "nobody watches: the node's tap costs nothing";

    Console console(bundle.monitorTap, filterOf("app", "private-room*"));
    ASSERT_TRUE(eventually([&] { return bundle.nodeTap.active(); }, 2000ms));
    EXPECT_TRUE(bundle.collector.registered());
    EXPECT_FALSE(bundle.nodeTap.wants("app", "other", "client-a"));
    EXPECT_FALSE(bundle.nodeTap.wants("app2", "private-room", "client-a"));

    for (const char* channel : {"private-room.1", "other", "private-room.2"}) {
        const DebugEvent event = clientEvent(channel, "client-typing");
        if (bundle.nodeTap.wants(event.appId, event.channel, event.event)) bundle.nodeTap.emit(event);
    }
    ASSERT_TRUE(eventually([&] { return console.seen().size() == 2; }, 2000ms));
    const auto seen = console.seen();
    EXPECT_EQ(seen[0].channel, "private-room.1");
    EXPECT_EQ(seen[0].node, "edge-a-g1") << "the relay stamps the node id";
    EXPECT_EQ(seen[0].event, "client-typing");
    EXPECT_EQ(seen[0].socketId, "1.2");
    EXPECT_EQ(seen[1].channel, "private-room.2");
    EXPECT_EQ(bundle.relay.published(), 2u);
    EXPECT_EQ(bundle.collector.received(), 2u);

    console.watch.reset();
    ASSERT_TRUE(eventually([&] { return !bundle.nodeTap.active(); }, 2000ms))
        << "closing removes the node's watch";
    ASSERT_TRUE(eventually(
        [&] {
            auto exists = bundle.redis->command({"HEXISTS", redis::keys::debugWatch(), "monitor-1"});
            return exists && exists->isInteger() && exists->integer == 0;
        },
        2000ms))
        << "the monitor's field is deleted with its last console";
}

TEST(DebugRelay, AFullQueueDropsAndCounts) {
    SKIP_WITHOUT_REDIS();
    RedisServer server;
    Bundle bundle(server);
    Console console(bundle.monitorTap, filterOf("app"));
    ASSERT_TRUE(eventually([&] { return bundle.nodeTap.active(); }, 2000ms));
    server.pause();  // the relay thread blocks in PUBLISH (bounded) while sinks keep enqueueing
    for (int i = 0; i < 400; ++i) bundle.nodeTap.emit(clientEvent("c", "client-n"));
    EXPECT_TRUE(eventually([&] { return bundle.relay.dropped() > 0; }, 3000ms));
    server.resume();
    std::string metrics;
    bundle.relay.appendPrometheus(metrics);
    EXPECT_NE(metrics.find("resound_debug_relay_dropped_total "), std::string::npos);
}

TEST(DebugRelay, TheRegistrationIsRefreshedAndRemovedOnStop) {
    SKIP_WITHOUT_REDIS();
    RedisServer server;
    redis::CommandClient probe(server.options());
    const auto registration = [&] {
        auto value = probe.command({"HGET", redis::keys::debugWatch(), "monitor-1"});
        return value && value->isString() ? value->text : std::string();
    };
    {
        Bundle bundle(server);
        Console console(bundle.monitorTap, filterOf("app", "", "client-*"));
        ASSERT_TRUE(eventually([&] { return bundle.collector.registered(); }, 2000ms));
        const std::string before = registration();
        EXPECT_NE(before.find(R"("event":"client-*")"), std::string::npos) << before;
        ASSERT_TRUE(eventually([&] { return registration() != before; }, 2000ms))
            << "the heartbeat rewrites updated_ms";
        auto ttl = probe.command({"PTTL", redis::keys::debugWatch()});
        ASSERT_TRUE(ttl && ttl->isInteger());
        EXPECT_GT(ttl->integer, 0);
        bundle.collector.stop();
    }
    auto exists = probe.command({"EXISTS", redis::keys::debugWatch()});
    ASSERT_TRUE(exists && exists->isInteger());
    EXPECT_EQ(exists->integer, 0);
}

}  // namespace
}  // namespace resound::dashboard
