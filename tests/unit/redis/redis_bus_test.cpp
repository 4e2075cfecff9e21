// RedisBus between two "edges" (two buses with their own clients) on a real redis-server: delivery,
// interest management, exactly-once, control messages, and outages (stop/restart, SIGSTOP).
#include <gtest/gtest.h>

#include <map>
#include <mutex>

#include "RedisServer.h"
#include "redis/RedisBus.h"

namespace resound::redis {
namespace {

using namespace std::chrono_literals;
using testing::eventually;
using testing::millisecondsOf;
using testing::RedisServer;

// Collects what a bus hands its receiver.
struct Inbox {
    std::mutex mutex;
    std::vector<bus::BusMessagePtr> messages;

    void attach(RedisBus& bus) {
        bus.addReceiver([this](const bus::BusMessagePtr& m) {
            std::lock_guard lock(mutex);
            messages.push_back(m);
        });
    }
    std::size_t size() {
        std::lock_guard lock(mutex);
        return messages.size();
    }
    std::map<std::string, int> framesSeen() {
        std::lock_guard lock(mutex);
        std::map<std::string, int> seen;
        for (const auto& m : messages) {
            if (m->frame) ++seen[*m->frame];
        }
        return seen;
    }
};

struct Edge {
    std::shared_ptr<CommandClient> client;
    std::unique_ptr<RedisBus> bus;
    Inbox inbox;

    static SubscriberOptions quickPings() {
        SubscriberOptions subscriber;
        subscriber.pingInterval = 300ms;
        subscriber.pingTimeout = 300ms;
        return subscriber;
    }

    Edge(const ConnectionOptions& options, std::vector<std::string> apps = {"app"},
         SubscriberOptions subscriber = quickPings()) {
        client = std::make_shared<CommandClient>(options);
        RedisBusOptions busOptions;
        busOptions.appIds = std::move(apps);
        busOptions.subscriber = subscriber;
        bus = std::make_unique<RedisBus>(client, busOptions);
        inbox.attach(*bus);
    }
};

bus::BusMessagePtr event(const std::string& channel, const std::string& frame,
                         const std::string& except = {}) {
    auto m = std::make_shared<bus::BusMessage>();
    m->kind = bus::BusMessage::Kind::ChannelEvent;
    m->appId = "app";
    m->channel = channel;
    m->exceptSocketId = except;
    m->frame = std::make_shared<const std::string>(frame);
    return m;
}

TEST(RedisBus, PublishReachesTheOtherEdge) {
    SKIP_WITHOUT_REDIS();
    RedisServer server;
    Edge a(server.options()), b(server.options());
    ASSERT_TRUE(eventually([&] { return a.bus->connected() && b.bus->connected(); }, 2000ms));
    b.bus->addInterest("app", "chat");
    ASSERT_TRUE(a.bus->publish(event("chat", std::string("\x81\x03hi\0", 5), "1.2")));
    ASSERT_TRUE(eventually([&] { return b.inbox.size() == 1; }, 2000ms));
    const auto& got = b.inbox.messages[0];
    EXPECT_EQ(got->appId, "app");
    EXPECT_EQ(got->channel, "chat");
    EXPECT_EQ(got->exceptSocketId, "1.2");
    EXPECT_EQ(*got->frame, std::string("\x81\x03hi\0", 5));
    EXPECT_EQ(a.inbox.size(), 0u);  // no interest on edge a
    EXPECT_EQ(a.bus->counters().published, 1u);
    EXPECT_EQ(b.bus->counters().received, 1u);
}

TEST(RedisBus, EdgeWithoutInterestReceivesNothing) {
    SKIP_WITHOUT_REDIS();
    RedisServer server;
    Edge a(server.options()), b(server.options());
    b.bus->addInterest("app", "wanted");
    ASSERT_TRUE(a.bus->publish(event("unwanted", "x")));
    ASSERT_TRUE(a.bus->publish(event("wanted", "y")));
    ASSERT_TRUE(eventually([&] { return b.inbox.size() == 1; }, 2000ms));
    std::this_thread::sleep_for(200ms);
    EXPECT_EQ(b.inbox.size(), 1u);
    EXPECT_EQ(*b.inbox.messages[0]->frame, "y");
    EXPECT_EQ(a.inbox.size(), 0u);
}

TEST(RedisBus, EveryMessageArrivesExactlyOnceIncludingAtThePublisher) {
    SKIP_WITHOUT_REDIS();
    RedisServer server;
    Edge a(server.options()), b(server.options());
    // Interest from two loops on the same edge is reference-counted: still one subscription.
    a.bus->addInterest("app", "room");
    a.bus->addInterest("app", "room");
    b.bus->addInterest("app", "room");
    constexpr int kMessages = 300;
    for (int i = 0; i < kMessages; ++i) ASSERT_TRUE(a.bus->publish(event("room", "m" + std::to_string(i))));
    ASSERT_TRUE(
        eventually([&] { return a.inbox.size() >= kMessages && b.inbox.size() >= kMessages; }, 5000ms));
    std::this_thread::sleep_for(200ms);
    for (Edge* edge : {&a, &b}) {
        const auto seen = edge->inbox.framesSeen();
        EXPECT_EQ(seen.size(), static_cast<std::size_t>(kMessages));
        for (const auto& [frame, count] : seen) EXPECT_EQ(count, 1) << frame;
    }
    // In publish order, per channel.
    EXPECT_EQ(*b.inbox.messages.front()->frame, "m0");
    EXPECT_EQ(*b.inbox.messages.back()->frame, "m" + std::to_string(kMessages - 1));
}

TEST(RedisBus, InterestIsReferenceCounted) {
    SKIP_WITHOUT_REDIS();
    RedisServer server;
    Edge a(server.options()), b(server.options());
    b.bus->addInterest("app", "c");
    b.bus->addInterest("app", "c");
    b.bus->removeInterest("app", "c");
    ASSERT_TRUE(a.bus->publish(event("c", "still")));
    ASSERT_TRUE(eventually([&] { return b.inbox.size() == 1; }, 2000ms));
    b.bus->removeInterest("app", "c");
    EXPECT_TRUE(eventually([&] { return b.bus->counters().channels == 0; }, 1000ms));
    // The UNSUBSCRIBE is asynchronous: once Redis counts no subscriber, nothing more arrives.
    ASSERT_TRUE(eventually(
        [&] {
            auto n = a.client->command({"PUBSUB", "NUMSUB", "resound:app:ch:c"});
            return n && n->elements.size() == 2 && n->elements[1].integer == 0;
        },
        2000ms));
    ASSERT_TRUE(a.bus->publish(event("c", "gone")));
    std::this_thread::sleep_for(200ms);
    EXPECT_EQ(b.inbox.size(), 1u);
}

TEST(RedisBus, TerminateUserGoesToEveryEdgeOfTheApp) {
    SKIP_WITHOUT_REDIS();
    RedisServer server;
    Edge a(server.options()), b(server.options()), other(server.options(), {"other-app"});
    ASSERT_TRUE(eventually([&] { return a.bus->connected() && b.bus->connected() && other.bus->connected(); },
                           2000ms));
    auto m = std::make_shared<bus::BusMessage>();
    m->kind = bus::BusMessage::Kind::TerminateUser;
    m->appId = "app";
    m->userId = "42";
    ASSERT_TRUE(a.bus->publish(m));
    ASSERT_TRUE(eventually([&] { return a.inbox.size() == 1 && b.inbox.size() == 1; }, 2000ms));
    EXPECT_EQ(b.inbox.messages[0]->kind, bus::BusMessage::Kind::TerminateUser);
    EXPECT_EQ(b.inbox.messages[0]->userId, "42");
    std::this_thread::sleep_for(100ms);
    EXPECT_EQ(other.inbox.size(), 0u);
}

TEST(RedisBus, RedisRestartPublishFailsFastThenResubscribes) {
    SKIP_WITHOUT_REDIS();
    RedisServer server;
    Edge a(server.options()), b(server.options());
    b.bus->addInterest("app", "live");
    ASSERT_TRUE(eventually([&] { return b.bus->connected(); }, 2000ms));

    server.stop();
    EXPECT_LT(millisecondsOf([&] { EXPECT_FALSE(a.bus->publish(event("live", "lost"))); }), 400);
    EXPECT_TRUE(eventually([&] { return !b.bus->connected(); }, 2000ms));
    EXPECT_GE(a.bus->counters().publishFailures, 1u);

    ASSERT_TRUE(server.start());
    ASSERT_TRUE(eventually([&] { return b.bus->connected(); }, 3000ms));
    EXPECT_GE(b.bus->counters().reconnects, 1u);
    ASSERT_TRUE(eventually([&] { return a.bus->publish(event("live", "back")); }, 2000ms));
    ASSERT_TRUE(eventually([&] { return b.inbox.size() == 1; }, 2000ms));
    EXPECT_EQ(*b.inbox.messages[0]->frame, "back");
}

TEST(RedisBus, HungRedisPublishIsBoundedAndTheBusRecovers) {
    SKIP_WITHOUT_REDIS();
    RedisServer server;
    Edge a(server.options()), b(server.options());
    b.bus->addInterest("app", "live");
    ASSERT_TRUE(eventually([&] { return b.bus->connected(); }, 2000ms));
    ASSERT_TRUE(a.bus->publish(event("live", "before")));

    server.pause();
    EXPECT_LT(millisecondsOf([&] { EXPECT_FALSE(a.bus->publish(event("live", "during"))); }), 300 + 250);
    // The subscriber notices through its keep-alive: pingInterval + pingTimeout (+ slack).
    EXPECT_TRUE(eventually([&] { return !b.bus->connected(); }, 1500ms));

    server.resume();
    ASSERT_TRUE(eventually([&] { return b.bus->connected(); }, 4000ms));
    ASSERT_TRUE(eventually([&] { return a.bus->publish(event("live", "after")); }, 3000ms));
    ASSERT_TRUE(eventually([&] { return b.inbox.framesSeen().count("after") == 1; }, 2000ms));
    // "during" may still arrive (Redis ran the PUBLISH it had buffered once resumed) but never twice.
    for (const auto& [frame, count] : b.inbox.framesSeen()) EXPECT_EQ(count, 1) << frame;
}

}  // namespace
}  // namespace resound::redis

namespace resound::redis {
namespace {

TEST(RedisBus, AddInterestThenConfirmsWithoutWaitingAndDeliversWhatFollows) {
    SKIP_WITHOUT_REDIS();
    RedisServer server;
    Edge publisher(server.options()), subscriber(server.options());
    std::atomic<bool> confirmed{false};
    std::thread::id confirmedOn;
    const auto started = std::chrono::steady_clock::now();
    subscriber.bus->addInterestThen("app", "news", [&] {
        confirmedOn = std::this_thread::get_id();
        confirmed = true;
    });
    EXPECT_LT(std::chrono::steady_clock::now() - started, 50ms) << "the call does not wait";
    ASSERT_TRUE(eventually([&] { return confirmed.load(); }, 2000ms));
    EXPECT_NE(confirmedOn, std::this_thread::get_id()) << "confirmed later, on the subscriber thread";
    ASSERT_TRUE(publisher.bus->publish(event("news", "after-confirm")));
    ASSERT_TRUE(eventually([&] { return subscriber.inbox.size() == 1; }, 2000ms));

    // Already confirmed: at once, on the caller's thread.
    bool again = false;
    subscriber.bus->addInterestThen("app", "news", [&] { again = true; });
    EXPECT_TRUE(again);
    subscriber.bus->removeInterest("app", "news");
    subscriber.bus->removeInterest("app", "news");
}

TEST(RedisBus, AddInterestThenGivesUpAfterConfirmWaitWhileRedisHangs) {
    SKIP_WITHOUT_REDIS();
    RedisServer server;
    Edge edge(server.options());  // confirmWait 500 ms (default), ping 300 + 300 ms
    ASSERT_TRUE(eventually([&] { return edge.bus->subscribed(); }, 3000ms));
    server.pause();
    std::atomic<bool> answered{false};
    const auto started = std::chrono::steady_clock::now();
    edge.bus->addInterestThen("app", "hung", [&] { answered = true; });
    ASSERT_TRUE(eventually([&] { return answered.load(); }, 3000ms));
    EXPECT_LT(std::chrono::steady_clock::now() - started, 1000ms);
    server.resume();
}

// Under load the subscriber settles every confirmation of one read together (one lock, the waiters
// run back to back) and loops share its wake-ups: none of that may lose or repeat a confirmation, nor
// confirm a channel before Redis did. Neither fallback may answer for it here: confirmWait and the
// PING interval are 30 s, so within the 10 s below only Redis's own confirmations call back, and a
// lost wake-up (SUBSCRIBEs left unsent until the next PING) fails the test.
TEST(RedisBus, ManyNewChannelsAtOnceAreEachConfirmedOnce) {
    SKIP_WITHOUT_REDIS();
    RedisServer server;
    SubscriberOptions onlyRedisConfirms;
    onlyRedisConfirms.pingInterval = 30s;
    onlyRedisConfirms.pingTimeout = 30s;
    onlyRedisConfirms.confirmWait = 30s;
    Edge publisher(server.options()), subscriber(server.options(), {"app"}, onlyRedisConfirms);
    ASSERT_TRUE(eventually([&] { return subscriber.bus->subscribed(); }, 3000ms));
    constexpr int kChannels = 3000;
    std::vector<std::atomic<int>> confirmations(kChannels);
    for (int i = 0; i < kChannels; ++i)
        subscriber.bus->addInterestThen("app", "c" + std::to_string(i), [&, i] { ++confirmations[i]; });
    ASSERT_TRUE(eventually(
        [&] {
            for (const auto& c : confirmations)
                if (c.load() == 0) return false;
            return true;
        },
        10000ms));
    std::this_thread::sleep_for(100ms);
    for (int i = 0; i < kChannels; ++i) EXPECT_EQ(confirmations[i].load(), 1) << "channel c" << i;
    // Confirmed means subscribed in Redis: what is published now arrives.
    for (int i : {0, kChannels / 2, kChannels - 1})
        ASSERT_TRUE(publisher.bus->publish(event("c" + std::to_string(i), "after-" + std::to_string(i))));
    ASSERT_TRUE(eventually([&] { return subscriber.inbox.size() == 3; }, 2000ms)) << subscriber.inbox.size();
    for (int i = 0; i < kChannels; ++i) subscriber.bus->removeInterest("app", "c" + std::to_string(i));
}

}  // namespace
}  // namespace resound::redis
