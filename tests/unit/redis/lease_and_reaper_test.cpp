// Node leases, the Reaper and resync against a real redis-server: dead nodes are subtracted once
// with their transitions announced, and a node that lost its lease or its Redis data re-registers
// its own contributions exactly once.
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <thread>

#include "RedisServer.h"
#include "redis/KeySchema.h"
#include "redis/NodeLease.h"
#include "redis/Reaper.h"
#include "redis/RedisBus.h"
#include "redis/RedisClusterState.h"
#include "redis/TransitionAnnouncer.h"

namespace resound::redis {
namespace {

using namespace std::chrono_literals;
using state::PresenceMember;
using testing::eventually;
using testing::millisecondsOf;
using testing::RedisServer;
using Kind = webhooks::WebhookEvent::Kind;

PresenceMember user(const std::string& key) { return PresenceMember{key, "\"" + key + "\"", "null"}; }

std::vector<std::string> keysOf(const std::vector<PresenceMember>& members) {
    std::vector<std::string> keys;
    for (const auto& m : members) keys.push_back(m.userKey);
    return keys;
}

struct RecordingSink : webhooks::WebhookSink {
    std::mutex mutex;
    std::vector<std::pair<Kind, std::string>> events;  // kind, channel or channel/user

    void emit(const config::AppConfig&, webhooks::WebhookEvent event) override {
        std::lock_guard lock(mutex);
        events.emplace_back(event.kind,
                            event.userId.empty() ? event.channel : event.channel + "/" + event.userId);
    }
    int count(Kind kind, const std::string& what) {
        std::lock_guard lock(mutex);
        int n = 0;
        for (const auto& e : events) n += e.first == kind && e.second == what;
        return n;
    }
    std::size_t size() {
        std::lock_guard lock(mutex);
        return events.size();
    }
};

struct Frames {
    std::mutex mutex;
    std::vector<std::string> frames;
    void attach(bus::Bus& bus) {
        bus.addReceiver([this](const bus::BusMessagePtr& m) {
            std::lock_guard lock(mutex);
            if (m->frame) frames.push_back(*m->frame);
        });
    }
    int containing(const std::string& a, const std::string& b) {
        std::lock_guard lock(mutex);
        int n = 0;
        for (const auto& f : frames) n += f.find(a) != std::string::npos && f.find(b) != std::string::npos;
        return n;
    }
};

struct Reports {
    std::mutex mutex;
    std::vector<ResyncReport> reports;
    RedisClusterState::ResyncListener listener(TransitionAnnouncer* announcer = nullptr) {
        return [this, announcer](const ResyncReport& report) {
            if (announcer) announcer->announce(report.transitions);
            std::lock_guard lock(mutex);
            reports.push_back(report);
        };
    }
    std::size_t size() {
        std::lock_guard lock(mutex);
        return reports.size();
    }
    ResyncReport last() {
        std::lock_guard lock(mutex);
        return reports.back();
    }
};

NodeLeaseOptions fastLease() {
    NodeLeaseOptions options;
    options.interval = 100ms;
    options.retryInterval = 100ms;
    return options;
}

struct Cluster : ::testing::Test {
    void SetUp() override {
        SKIP_WITHOUT_REDIS();
        server = std::make_unique<RedisServer>();
        client = std::make_shared<CommandClient>(server->options());
        config::AppConfig app;
        app.id = "app";
        apps.push_back(app);
        RedisBusOptions busOptions;
        busOptions.appIds = {"app"};
        busOptions.subscriber.pingInterval = 300ms;
        busOptions.subscriber.pingTimeout = 300ms;
        bus = std::make_unique<RedisBus>(client, busOptions);
        frames.attach(*bus);
        announcer = std::make_unique<TransitionAnnouncer>(*bus, apps, &sink);
        ASSERT_TRUE(eventually([&] { return bus->connected(); }, 2000ms));
    }

    std::unique_ptr<RedisClusterState> node(const std::string& name) {
        return std::make_unique<RedisClusterState>(std::make_shared<CommandClient>(server->options()),
                                                   RedisClusterState::Options{name});
    }
    bool exists(const std::string& key) {
        auto reply = client->command({"EXISTS", key});
        return reply && reply->integer == 1;
    }

    std::unique_ptr<RedisServer> server;
    std::shared_ptr<CommandClient> client;
    std::vector<config::AppConfig> apps;
    std::unique_ptr<RedisBus> bus;
    Frames frames;
    RecordingSink sink;
    std::unique_ptr<TransitionAnnouncer> announcer;
};

TEST_F(Cluster, ReaperSubtractsANodeThatStoppedHeartbeating) {
    bus->addInterest("app", "presence-room");
    auto a = node("node-a");
    auto b = node("node-b");
    NodeLease leaseA(
        *a,
        [] {
            return std::map<std::string, std::string>{{"service", "edge"}};
        },
        fastLease());
    auto leaseB = std::make_unique<NodeLease>(
        *b,
        [] {
            return std::map<std::string, std::string>{{"service", "edge"}, {"connections", "1"}};
        },
        fastLease());

    a->joinPresence("app", "presence-room", user("shared"), 100);
    a->addSubscription("app", "presence-room");
    b->joinPresence("app", "presence-room", user("shared"), 100);
    b->joinPresence("app", "presence-room", user("only-b"), 100);
    b->addSubscription("app", "presence-room");
    b->addSubscription("app", "presence-room");
    b->addSubscription("app", "solo");
    ASSERT_TRUE(b->tryAddConnection("app", 0));
    ASSERT_TRUE(eventually([&] { return exists(keys::nodeStats("node-b-g1")); }, 1000ms));
    auto service = client->command({"HGET", keys::nodeStats("node-b-g1"), "service"});
    EXPECT_EQ(service->text, "edge");
    auto ttl = client->command({"TTL", keys::nodeStats("node-b-g1")});
    EXPECT_GT(ttl->integer, 20);

    ReaperOptions options;
    options.lease = 600ms;
    options.interval = 100ms;
    Reaper reaper(client, *announcer, options);
    std::this_thread::sleep_for(700ms);   // the reaper's own contact gate (one lease) has passed
    EXPECT_EQ(reaper.reapedNodes(), 0u);  // both nodes heartbeat

    leaseB.reset();  // node b is "killed": no more heartbeats
    const auto took =
        millisecondsOf([&] { ASSERT_TRUE(eventually([&] { return reaper.reapedNodes() == 1; }, 3000ms)); });
    EXPECT_LT(took, 600 + 100 + 400);  // lease + interval (+ slack)

    EXPECT_EQ(a->channel("app", "presence-room")->subscriptionCount, 1u);
    EXPECT_FALSE(a->channel("app", "solo"));
    EXPECT_EQ(keysOf(a->presenceMembers("app", "presence-room")), std::vector<std::string>{"shared"});
    EXPECT_EQ(a->connectionCount("app"), 0u);
    EXPECT_EQ(sink.count(Kind::MemberRemoved, "presence-room/only-b"), 1);
    EXPECT_EQ(sink.count(Kind::ChannelVacated, "solo"), 1);
    EXPECT_EQ(sink.count(Kind::MemberRemoved, "presence-room/shared"), 0);
    EXPECT_EQ(sink.count(Kind::ChannelVacated, "presence-room"), 0);
    EXPECT_TRUE(eventually([&] { return frames.containing("pusher_internal:member_removed", "only-b") == 1; },
                           2000ms));
    EXPECT_EQ(frames.containing("pusher_internal:member_removed", "shared"), 0);

    for (const auto& key : {keys::nodeSubscriptions("node-b-g1"), keys::nodePresence("node-b-g1"),
                            keys::nodeConnections("node-b-g1"), keys::nodeStats("node-b-g1")})
        EXPECT_FALSE(exists(key)) << key;
    EXPECT_TRUE(exists(keys::nodeReaped("node-b-g1")));
    auto alive = client->command({"ZSCORE", "resound:nodes", "node-a-g1"});
    EXPECT_FALSE(alive->isNull());
}

TEST_F(Cluster, ConcurrentReapersClaimADeadNodeOnce) {
    auto b = node("node-b");
    b->joinPresence("app", "presence-room", user("u"), 100);
    b->addSubscription("app", "presence-room");
    ReaperOptions options;
    options.lease = 300ms;
    options.runThread = false;
    Reaper first(client, *announcer, options);
    Reaper second(std::make_shared<CommandClient>(server->options()), *announcer, options);
    std::this_thread::sleep_for(400ms);
    std::atomic<std::size_t> claimed{0};
    std::thread t1([&] { claimed += first.reapExpired().nodes.size(); });
    std::thread t2([&] { claimed += second.reapExpired().nodes.size(); });
    t1.join();
    t2.join();
    EXPECT_EQ(claimed.load(), 1u);
    EXPECT_EQ(sink.count(Kind::MemberRemoved, "presence-room/u"), 1);
    EXPECT_EQ(sink.count(Kind::ChannelVacated, "presence-room"), 1);
    EXPECT_TRUE(first.reapExpired().nodes.empty());
}

TEST_F(Cluster, RedisRestartResyncsTheNodeWithoutAnnouncing) {
    auto a = node("node-a");
    Reports reports;
    a->setResyncListener(reports.listener(announcer.get()));
    NodeLease lease(*a, nullptr, fastLease());
    a->addSubscription("app", "presence-room");
    a->addSubscription("app", "presence-room");
    a->joinPresence("app", "presence-room", user("u1"), 100);
    ASSERT_TRUE(a->tryAddConnection("app", 0));

    server->stop();
    ASSERT_TRUE(server->start());
    ASSERT_TRUE(eventually([&] { return reports.size() == 1; }, 3000ms));
    const ResyncReport report = reports.last();
    EXPECT_EQ(report.reason, ResyncReport::Reason::RedisDataLost);
    EXPECT_EQ(report.previousNodeId, "node-a-g1");
    EXPECT_EQ(report.nodeId, "node-a-g2");
    EXPECT_TRUE(report.transitions.empty());
    EXPECT_EQ(a->nodeId(), "node-a-g2");
    EXPECT_EQ(a->channel("app", "presence-room")->subscriptionCount, 2u);
    EXPECT_EQ(keysOf(a->presenceMembers("app", "presence-room")), std::vector<std::string>{"u1"});
    EXPECT_EQ(a->connectionCount("app"), 1u);
    EXPECT_TRUE(a->available());
    EXPECT_EQ(sink.size(), 0u);
    // Re-registered state behaves normally afterwards.
    EXPECT_TRUE(a->leavePresence("app", "presence-room", "u1"));
}

TEST_F(Cluster, ReapedNodeReRegistersAndAnnouncesItsReturn) {
    auto a = node("node-a");
    Reports reports;
    a->setResyncListener(reports.listener(announcer.get()));
    a->joinPresence("app", "presence-room", user("u1"), 100);
    a->addSubscription("app", "presence-room");

    ReaperOptions options;
    options.runThread = false;
    Reaper reaper(client, *announcer, options);
    ASSERT_EQ(reaper.reapNode("node-a-g1").nodes.size(), 1u);  // e.g. a peer thought it dead
    EXPECT_EQ(sink.count(Kind::MemberRemoved, "presence-room/u1"), 1);
    EXPECT_EQ(sink.count(Kind::ChannelVacated, "presence-room"), 1);

    // The lease is gone: this is refused in Redis, kept locally, reported as "no transition".
    EXPECT_EQ(a->addSubscription("app", "presence-room"), 0u);
    EXPECT_FALSE(a->available());

    NodeLease lease(*a, nullptr, fastLease());
    ASSERT_TRUE(eventually([&] { return reports.size() == 1; }, 2000ms));
    const ResyncReport report = reports.last();
    EXPECT_EQ(report.reason, ResyncReport::Reason::LeaseReaped);
    ASSERT_EQ(report.transitions.joined.size(), 1u);
    EXPECT_EQ(report.transitions.joined[0].member.userKey, "u1");
    ASSERT_EQ(report.transitions.occupied.size(), 1u);
    EXPECT_EQ(a->channel("app", "presence-room")->subscriptionCount, 2u);
    EXPECT_EQ(keysOf(a->presenceMembers("app", "presence-room")), std::vector<std::string>{"u1"});
    EXPECT_EQ(sink.count(Kind::MemberAdded, "presence-room/u1"), 1);
    EXPECT_EQ(sink.count(Kind::ChannelOccupied, "presence-room"), 1);
    EXPECT_TRUE(a->available());
}

TEST_F(Cluster, ChangesDuringAHungRedisAreSettledOnceAfterwards) {
    auto a = node("node-a");
    Reports reports;
    a->setResyncListener(reports.listener(announcer.get()));
    NodeLease lease(*a, nullptr, fastLease());
    ReaperOptions options;
    options.lease = 1500ms;
    options.interval = 100ms;
    Reaper reaper(client, *announcer, options);
    a->joinPresence("app", "presence-room", user("u1"), 100);
    a->joinPresence("app", "presence-room", user("u2"), 100);
    a->addSubscription("app", "presence-room");
    a->addSubscription("app", "presence-room");

    server->pause();
    EXPECT_FALSE(a->leavePresence("app", "presence-room", "u2"));
    a->joinPresence("app", "presence-room", user("u3"), 100);
    a->removeSubscription("app", "presence-room");
    server->resume();

    ASSERT_TRUE(eventually([&] { return reports.size() >= 1; }, 3000ms));
    const ResyncReport report = reports.last();
    EXPECT_EQ(report.reason, ResyncReport::Reason::Reconnected);
    ASSERT_EQ(report.transitions.joined.size(), 1u);
    EXPECT_EQ(report.transitions.joined[0].member.userKey, "u3");
    // The previous generation is retired and reaped: what it still held is subtracted, u2 leaves.
    ASSERT_TRUE(eventually([&] { return reaper.reapedNodes() == 1; }, 4000ms));
    EXPECT_EQ(keysOf(a->presenceMembers("app", "presence-room")), (std::vector<std::string>{"u1", "u3"}));
    EXPECT_EQ(a->channel("app", "presence-room")->subscriptionCount, 1u);
    EXPECT_EQ(sink.count(Kind::MemberRemoved, "presence-room/u2"), 1);
    EXPECT_EQ(sink.count(Kind::MemberAdded, "presence-room/u3"), 1);
    EXPECT_EQ(sink.count(Kind::MemberRemoved, "presence-room/u1"), 0);
    EXPECT_EQ(sink.count(Kind::ChannelVacated, "presence-room"), 0);
}

TEST_F(Cluster, MutationsRacingAResyncAreCountedExactlyOnce) {
    auto a = node("node-a");
    Reports reports;
    a->setResyncListener(reports.listener());
    NodeLease lease(*a, nullptr, fastLease());
    ReaperOptions options;
    options.lease = 300ms;
    options.interval = 100ms;
    Reaper reaper(client, *announcer, options);  // subtracts retired generations
    std::atomic<bool> stop{false};
    std::atomic<long> net{0};
    std::vector<std::thread> loops;
    for (int t = 0; t < 3; ++t) {
        loops.emplace_back([&, t] {
            const std::string channel = "c" + std::to_string(t);
            for (int i = 0; !stop && i < 100000; ++i) {
                a->addSubscription("app", channel);
                ++net;
                if (i % 3 != 0) {
                    a->removeSubscription("app", channel);
                    --net;
                }
            }
        });
    }
    std::this_thread::sleep_for(200ms);
    server->stop();
    std::this_thread::sleep_for(100ms);
    ASSERT_TRUE(server->start());
    ASSERT_TRUE(eventually([&] { return reports.size() >= 1; }, 3000ms));
    std::this_thread::sleep_for(200ms);
    stop = true;
    for (auto& t : loops) t.join();
    // Settled: the node resyncs again if a mutation failed after the first resync, and every retired
    // generation is reaped.
    auto total = [&] {
        std::size_t sum = 0;
        for (const auto& c : a->channels("app", "c")) sum += c.subscriptionCount;
        return static_cast<long>(sum);
    };
    EXPECT_TRUE(eventually(
        [&] {
            auto nodes = client->command({"ZCARD", "resound:nodes"});
            return a->available() && nodes && nodes->integer == 1 && total() == net.load();
        },
        5000ms));
    EXPECT_EQ(total(), net.load());
}

}  // namespace
}  // namespace resound::redis
