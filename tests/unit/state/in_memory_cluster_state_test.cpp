// Single-threaded semantics of the in-process cluster state.
#include <gtest/gtest.h>

#include "state/InMemoryClusterState.h"

namespace resound::state {
namespace {

using namespace std::chrono_literals;

PresenceMember user(const std::string& key, const std::string& info = "null") {
    return PresenceMember{key, "\"" + key + "\"", info};
}

std::vector<std::string> keysOf(const std::vector<PresenceMember>& members) {
    std::vector<std::string> keys;
    for (const auto& member : members) keys.push_back(member.userKey);
    return keys;
}

std::vector<std::string> namesOf(const std::vector<ChannelSummary>& channels) {
    std::vector<std::string> names;
    for (const auto& channel : channels) names.push_back(channel.name);
    return names;
}

// A clock the test moves by hand.
struct ManualClock {
    std::chrono::steady_clock::time_point now{};
    InMemoryClusterState::Clock function() {
        return [this] { return now; };
    }
};

TEST(InMemoryClusterState, SubscriptionsCountUpAndTheChannelDisappearsAtZero) {
    InMemoryClusterState state;
    EXPECT_EQ(state.addSubscription("app", "news"), 1u);
    EXPECT_EQ(state.addSubscription("app", "news"), 2u);
    EXPECT_EQ(state.channel("app", "news")->subscriptionCount, 2u);
    EXPECT_EQ(state.removeSubscription("app", "news"), 1u);
    EXPECT_EQ(state.removeSubscription("app", "news"), 0u);
    EXPECT_FALSE(state.channel("app", "news"));
    EXPECT_TRUE(state.channels("app", "").empty());
    EXPECT_EQ(state.removeSubscription("app", "news"), 0u) << "no wrap-around below zero";
    EXPECT_EQ(state.removeSubscription("other-app", "x"), 0u);
}

TEST(InMemoryClusterState, ChannelsAreSortedFilteredByPrefixAndSeparatedByApp) {
    InMemoryClusterState state;
    for (const char* name : {"presence-b", "private-a", "presence-a", "public", "presence"}) {
        state.addSubscription("app", name);
    }
    state.addSubscription("other", "presence-z");
    EXPECT_EQ(namesOf(state.channels("app", "")),
              (std::vector<std::string>{"presence", "presence-a", "presence-b", "private-a", "public"}));
    EXPECT_EQ(namesOf(state.channels("app", "presence-")),
              (std::vector<std::string>{"presence-a", "presence-b"}));
    EXPECT_TRUE(state.channels("app", "cache-").empty());
    EXPECT_TRUE(state.channels("nobody", "").empty());
    EXPECT_FALSE(state.channel("app", "presence-z"));
}

TEST(InMemoryClusterState, PresenceIsReferenceCountedPerUser) {
    InMemoryClusterState state;
    const PresenceJoin first =
        state.joinPresence("app", "presence-room", user("10", "{\"name\":\"a\"}"), 100);
    EXPECT_EQ(first.status, PresenceJoinStatus::Joined);
    EXPECT_EQ(keysOf(first.members), (std::vector<std::string>{"10"}));

    const PresenceJoin secondTab =
        state.joinPresence("app", "presence-room", user("10", "{\"name\":\"b\"}"), 100);
    EXPECT_EQ(secondTab.status, PresenceJoinStatus::AlreadyPresent);
    ASSERT_EQ(secondTab.members.size(), 1u);
    EXPECT_EQ(secondTab.members[0].infoJson, "{\"name\":\"a\"}") << "the first connection's info is kept";

    EXPECT_FALSE(state.leavePresence("app", "presence-room", "10")) << "one tab is still open";
    EXPECT_TRUE(state.leavePresence("app", "presence-room", "10"));
    EXPECT_FALSE(state.leavePresence("app", "presence-room", "10")) << "already gone";
    EXPECT_TRUE(state.presenceMembers("app", "presence-room").empty());
}

TEST(InMemoryClusterState, MembersAreListedInJoinOrder) {
    InMemoryClusterState state;
    for (const char* key : {"30", "10", "20"}) state.joinPresence("app", "presence-room", user(key), 0);
    state.leavePresence("app", "presence-room", "10");
    state.joinPresence("app", "presence-room", user("10"), 0);
    EXPECT_EQ(keysOf(state.presenceMembers("app", "presence-room")),
              (std::vector<std::string>{"30", "20", "10"}));
    const PresenceMember first = state.presenceMembers("app", "presence-room")[0];
    EXPECT_EQ(first.idJson, "\"30\"");
    EXPECT_EQ(first.infoJson, "null");
}

TEST(InMemoryClusterState, RosterFullRejectsOnlyNewUsers) {
    InMemoryClusterState state;
    EXPECT_EQ(state.joinPresence("app", "presence-room", user("1"), 2).status, PresenceJoinStatus::Joined);
    EXPECT_EQ(state.joinPresence("app", "presence-room", user("2"), 2).status, PresenceJoinStatus::Joined);
    const PresenceJoin full = state.joinPresence("app", "presence-room", user("3"), 2);
    EXPECT_EQ(full.status, PresenceJoinStatus::RosterFull);
    EXPECT_TRUE(full.members.empty());
    EXPECT_EQ(state.joinPresence("app", "presence-room", user("2"), 2).status,
              PresenceJoinStatus::AlreadyPresent);
    EXPECT_EQ(keysOf(state.presenceMembers("app", "presence-room")), (std::vector<std::string>{"1", "2"}));
    EXPECT_EQ(state.joinPresence("app", "presence-other", user("3"), 0).status, PresenceJoinStatus::Joined)
        << "0 means unlimited";
}

TEST(InMemoryClusterState, SummaryCountsConnectionsAndDistinctUsers) {
    InMemoryClusterState state;
    for (int i = 0; i < 3; ++i) state.addSubscription("app", "presence-room");
    state.joinPresence("app", "presence-room", user("a"), 100);
    state.joinPresence("app", "presence-room", user("a"), 100);
    state.joinPresence("app", "presence-room", user("b"), 100);
    const auto summary = state.channel("app", "presence-room");
    ASSERT_TRUE(summary);
    EXPECT_EQ(summary->name, "presence-room");
    EXPECT_EQ(summary->subscriptionCount, 3u);
    EXPECT_EQ(summary->userCount, 2u);
    state.addSubscription("app", "private-x");
    EXPECT_EQ(state.channel("app", "private-x")->userCount, 0u);
}

TEST(InMemoryClusterState, PresenceWithoutSubscriptionIsNotAnOccupiedChannel) {
    InMemoryClusterState state;
    state.joinPresence("app", "presence-room", user("a"),
                       100);  // caller has not counted the subscription yet
    EXPECT_FALSE(state.channel("app", "presence-room"));
    EXPECT_TRUE(state.channels("app", "").empty());
    state.addSubscription("app", "presence-room");
    state.removeSubscription("app", "presence-room");
    EXPECT_EQ(state.presenceMembers("app", "presence-room").size(), 1u)
        << "roster is not dropped with the count";
}

TEST(InMemoryClusterState, CachedEventExpiresByTheInjectedClock) {
    ManualClock clock;
    InMemoryClusterState state(clock.function());
    state.storeCachedEvent("app", "cache-news", R"({"event":"e","channel":"cache-news","data":"1"})", 60);
    auto cached = state.cachedEvent("app", "cache-news");
    ASSERT_TRUE(cached);
    EXPECT_EQ(cached->eventJson, R"({"event":"e","channel":"cache-news","data":"1"})");
    EXPECT_EQ(cached->ttlSecondsLeft, 60);

    clock.now += 500ms;
    EXPECT_EQ(state.cachedEvent("app", "cache-news")->ttlSecondsLeft, 60) << "rounded up";
    clock.now += 59s;
    EXPECT_EQ(state.cachedEvent("app", "cache-news")->ttlSecondsLeft, 1);
    clock.now += 500ms;
    EXPECT_FALSE(state.cachedEvent("app", "cache-news")) << "expired at exactly the TTL";
    EXPECT_FALSE(state.cachedEvent("other-app", "cache-news"));
}

TEST(InMemoryClusterState, CachedEventIsReplacedAndSurvivesTheChannelEmptying) {
    ManualClock clock;
    InMemoryClusterState state(clock.function());
    state.addSubscription("app", "cache-x");
    state.storeCachedEvent("app", "cache-x", "first", 10);
    state.storeCachedEvent("app", "cache-x", "second", 20);
    state.removeSubscription("app", "cache-x");
    EXPECT_FALSE(state.channel("app", "cache-x"));
    const auto cached = state.cachedEvent("app", "cache-x");
    ASSERT_TRUE(cached);
    EXPECT_EQ(cached->eventJson, "second");
    EXPECT_EQ(cached->ttlSecondsLeft, 20);
    state.storeCachedEvent("app", "cache-x", "gone", 0);
    EXPECT_FALSE(state.cachedEvent("app", "cache-x")) << "a zero TTL clears the cache";
}

TEST(InMemoryClusterState, ExpiredEventsArePurgedWithoutBeingRead) {
    ManualClock clock;
    InMemoryClusterState state(clock.function());
    state.storeCachedEvent("app", "cache-a", "a", 10);
    state.storeCachedEvent("other", "cache-b", "b", 100);
    clock.now += 30s;
    EXPECT_EQ(state.purgeExpired(), 1u);
    EXPECT_EQ(state.purgeExpired(), 0u);
    EXPECT_TRUE(state.cachedEvent("other", "cache-b"));

    // storeCachedEvent purges on its own once the purge interval has passed.
    state.storeCachedEvent("app", "cache-c", "c", 10);
    clock.now += 61s;
    state.storeCachedEvent("app", "cache-d", "d", 10);
    EXPECT_EQ(state.purgeExpired(), 0u) << "the expired cache-c was already purged";
    EXPECT_TRUE(state.cachedEvent("other", "cache-b")) << "not expired yet";
    EXPECT_TRUE(state.cachedEvent("app", "cache-d"));
}

TEST(InMemoryClusterState, ConnectionLimitIsEnforcedPerApp) {
    InMemoryClusterState state;
    EXPECT_TRUE(state.tryAddConnection("app", 2));
    EXPECT_TRUE(state.tryAddConnection("app", 2));
    EXPECT_FALSE(state.tryAddConnection("app", 2));
    EXPECT_EQ(state.connectionCount("app"), 2u);
    EXPECT_TRUE(state.tryAddConnection("other", 1));
    state.removeConnection("app");
    EXPECT_TRUE(state.tryAddConnection("app", 2));
    for (int i = 0; i < 5; ++i) EXPECT_TRUE(state.tryAddConnection("app", 0)) << "0 means unlimited";
    EXPECT_EQ(state.connectionCount("app"), 7u);
    for (int i = 0; i < 10; ++i) state.removeConnection("app");
    EXPECT_EQ(state.connectionCount("app"), 0u) << "no wrap-around below zero";
    EXPECT_EQ(state.connectionCount("nobody"), 0u);
}

}  // namespace
}  // namespace resound::state
