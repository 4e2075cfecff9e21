// RedisClusterState as two nodes sharing one redis-server: the InMemoryClusterState semantics,
// cluster-wide.
#include <gtest/gtest.h>

#include "RedisServer.h"
#include "redis/KeySchema.h"
#include "redis/RedisClusterState.h"

namespace resound::redis {
namespace {

using namespace std::chrono_literals;
using state::PresenceJoinStatus;
using state::PresenceMember;
using testing::eventually;
using testing::millisecondsOf;
using testing::RedisServer;

PresenceMember user(const std::string& key, const std::string& info = "null") {
    return PresenceMember{key, "\"" + key + "\"", info};
}

std::vector<std::string> keysOf(const std::vector<PresenceMember>& members) {
    std::vector<std::string> keys;
    for (const auto& m : members) keys.push_back(m.userKey);
    return keys;
}

struct TwoNodes : ::testing::Test {
    void SetUp() override {
        SKIP_WITHOUT_REDIS();
        server = std::make_unique<RedisServer>();
        client = std::make_shared<CommandClient>(server->options());
        a = std::make_unique<RedisClusterState>(std::make_shared<CommandClient>(server->options()),
                                                RedisClusterState::Options{"node-a"});
        b = std::make_unique<RedisClusterState>(std::make_shared<CommandClient>(server->options()),
                                                RedisClusterState::Options{"node-b"});
    }
    std::unique_ptr<RedisServer> server;
    std::shared_ptr<CommandClient> client;  // to look at keys directly
    std::unique_ptr<RedisClusterState> a, b;
};

TEST_F(TwoNodes, NodesRegisterUnderGenerationIds) {
    EXPECT_EQ(a->nodeId(), "node-a-g1");
    EXPECT_EQ(b->nodeId(), "node-b-g1");
    auto nodes = client->command({"ZRANGE", "resound:nodes", "0", "-1"});
    ASSERT_TRUE(nodes);
    EXPECT_EQ(nodes->elements.size(), 2u);
    EXPECT_TRUE(a->available());
}

TEST_F(TwoNodes, SubscriptionCountsAreClusterWide) {
    EXPECT_EQ(a->addSubscription("app", "news"), 1u);
    EXPECT_EQ(b->addSubscription("app", "news"), 2u);
    EXPECT_EQ(a->addSubscription("app", "news"), 3u);
    EXPECT_EQ(b->addSubscription("app", "sport"), 1u);
    EXPECT_EQ(a->channel("app", "news")->subscriptionCount, 3u);
    const auto list = b->channels("app", "");
    ASSERT_EQ(list.size(), 2u);
    EXPECT_EQ(list[0].name, "news");
    EXPECT_EQ(list[1].name, "sport");
    EXPECT_EQ(a->channels("app", "sp").size(), 1u);
    EXPECT_TRUE(a->channels("other-app", "").empty());

    EXPECT_EQ(b->removeSubscription("app", "news"), 2u);
    // b has no subscription left on "news": a stray remove changes nothing.
    EXPECT_EQ(b->removeSubscription("app", "news"), 2u);
    EXPECT_EQ(a->removeSubscription("app", "news"), 1u);
    EXPECT_EQ(a->removeSubscription("app", "news"), 0u);
    EXPECT_FALSE(a->channel("app", "news"));
    auto field = client->command({"HGET", keys::nodeSubscriptions("node-a-g1"), "app\nnews"});
    EXPECT_TRUE(field && field->isNull());
}

TEST_F(TwoNodes, SameUserOnTwoNodesIsOneMemberUntilTheLastConnectionLeaves) {
    auto first = a->joinPresence("app", "presence-room", user("u1", R"({"name":"A"})"), 100);
    EXPECT_EQ(first.status, PresenceJoinStatus::Joined);
    auto second = b->joinPresence("app", "presence-room", user("u1", R"({"name":"other"})"), 100);
    EXPECT_EQ(second.status, PresenceJoinStatus::AlreadyPresent);
    ASSERT_EQ(second.members.size(), 1u);
    EXPECT_EQ(second.members[0].infoJson, R"({"name":"A"})");  // first join wins
    EXPECT_EQ(second.members[0].idJson, "\"u1\"");
    EXPECT_EQ(a->joinPresence("app", "presence-room", user("u1"), 100).status,
              PresenceJoinStatus::AlreadyPresent);

    EXPECT_FALSE(a->leavePresence("app", "presence-room", "u1"));
    EXPECT_FALSE(a->leavePresence("app", "presence-room", "u1"));
    EXPECT_FALSE(a->leavePresence("app", "presence-room", "u1"));  // stray: a has none left
    EXPECT_EQ(keysOf(b->presenceMembers("app", "presence-room")), std::vector<std::string>{"u1"});
    EXPECT_TRUE(b->leavePresence("app", "presence-room", "u1"));
    EXPECT_TRUE(a->presenceMembers("app", "presence-room").empty());
}

TEST_F(TwoNodes, RosterCapJoinOrderAndNumericIds) {
    PresenceMember numeric{"7", "7", R"({"n":1})"};
    EXPECT_EQ(a->joinPresence("app", "presence-x", numeric, 2).status, PresenceJoinStatus::Joined);
    EXPECT_EQ(b->joinPresence("app", "presence-x", user("b"), 2).status, PresenceJoinStatus::Joined);
    auto full = a->joinPresence("app", "presence-x", user("c"), 2);
    EXPECT_EQ(full.status, PresenceJoinStatus::RosterFull);
    EXPECT_TRUE(full.members.empty());
    // Another tab of a present user always gets in.
    EXPECT_EQ(b->joinPresence("app", "presence-x", numeric, 2).status, PresenceJoinStatus::AlreadyPresent);
    auto members = b->presenceMembers("app", "presence-x");
    ASSERT_EQ(members.size(), 2u);
    EXPECT_EQ(members[0].userKey, "7");
    EXPECT_EQ(members[0].idJson, "7");
    EXPECT_EQ(members[0].infoJson, R"({"n":1})");
    EXPECT_EQ(members[1].userKey, "b");
    a->addSubscription("app", "presence-x");
    EXPECT_EQ(a->channel("app", "presence-x")->userCount, 2u);
    EXPECT_EQ(a->channels("app", "presence-")[0].userCount, 2u);
}

TEST_F(TwoNodes, ConnectionLimitIsClusterWide) {
    EXPECT_TRUE(a->tryAddConnection("app", 2));
    EXPECT_TRUE(b->tryAddConnection("app", 2));
    EXPECT_FALSE(a->tryAddConnection("app", 2));
    EXPECT_EQ(b->connectionCount("app"), 2u);
    b->removeConnection("app");
    b->removeConnection("app");  // stray
    EXPECT_EQ(a->connectionCount("app"), 1u);
    EXPECT_TRUE(b->tryAddConnection("app", 0));
    EXPECT_EQ(a->connectionCount("app"), 2u);
    EXPECT_EQ(a->connectionCount("nobody"), 0u);
}

TEST_F(TwoNodes, CachedEventsExpire) {
    a->storeCachedEvent("app", "cache-x", R"({"event":"e"})", 60);
    auto cached = b->cachedEvent("app", "cache-x");
    ASSERT_TRUE(cached);
    EXPECT_EQ(cached->eventJson, R"({"event":"e"})");
    EXPECT_EQ(cached->ttlSecondsLeft, 60);
    a->storeCachedEvent("app", "cache-x", "{}", 0);
    EXPECT_FALSE(b->cachedEvent("app", "cache-x"));
    a->storeCachedEvent("app", "cache-y", "{}", 1);
    EXPECT_TRUE(eventually([&] { return !b->cachedEvent("app", "cache-y"); }, 2500ms));
}

TEST_F(TwoNodes, HungRedisCallsAreBoundedMutationsAnsweredLocallyReadsRefused) {
    a->addSubscription("app", "c");
    a->joinPresence("app", "presence-r", user("u"), 10);
    server->pause();
    long long worst = 0;
    for (int i = 0; i < 5; ++i) {
        worst = std::max(worst, millisecondsOf([&] { EXPECT_EQ(a->addSubscription("app", "c"), 0u); }));
    }
    EXPECT_LT(worst, 300 + 300 + 200);
    EXPECT_FALSE(a->available());
    // Reads of the cluster's view are refused (the caller answers 503): this node's own counts are
    // not the cluster's.
    EXPECT_THROW(a->channel("app", "c"), state::StateUnavailable);
    EXPECT_THROW(a->channels("app", ""), state::StateUnavailable);
    EXPECT_THROW(a->presenceMembers("app", "presence-r"), state::StateUnavailable);
    EXPECT_THROW(a->connectionCount("app"), state::StateUnavailable);
    EXPECT_THROW(a->cachedEvent("app", "c"), state::StateUnavailable);
    // Mutations answer from the local view and report no transition.
    EXPECT_EQ(a->joinPresence("app", "presence-r", user("v"), 10).status, PresenceJoinStatus::AlreadyPresent);
    EXPECT_FALSE(a->leavePresence("app", "presence-r", "u"));
    EXPECT_GE(a->removeSubscription("app", "c"), 1u);
    server->resume();
}

}  // namespace
}  // namespace resound::redis
