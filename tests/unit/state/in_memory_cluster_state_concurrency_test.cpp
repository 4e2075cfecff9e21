// Hammers one InMemoryClusterState from several threads; the final counts must be exact.
// Under ThreadSanitizer or ASan this also catches unsynchronised access.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "state/InMemoryClusterState.h"

namespace resound::state {
namespace {

constexpr int kThreads = 4;
constexpr int kRounds = 2000;

TEST(InMemoryClusterStateConcurrency, FourThreadsKeepExactCounts) {
    InMemoryClusterState state;
    std::atomic<int> rejectedConnections{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            const std::string ownUser = "user-" + std::to_string(t);
            for (int i = 0; i < kRounds; ++i) {
                // Balanced work on shared channels...
                state.addSubscription("app", "presence-shared");
                state.joinPresence("app", "presence-shared", PresenceMember{"common", "\"common\"", "null"},
                                   0);
                state.joinPresence("app", "presence-shared", PresenceMember{ownUser, "\"u\"", "null"}, 0);
                state.storeCachedEvent("app", "cache-shared", "event-" + std::to_string(i), 60);
                state.cachedEvent("app", "cache-shared");
                state.channels("app", "presence-");
                state.leavePresence("app", "presence-shared", ownUser);
                state.leavePresence("app", "presence-shared", "common");
                state.removeSubscription("app", "presence-shared");
                // ...plus work that accumulates: one channel subscription per round and thread.
                state.addSubscription("app", "public-counted");
                if (!state.tryAddConnection("app", kThreads * kRounds / 2)) ++rejectedConnections;
            }
            // Each thread's user stays present with one connection at the end.
            state.joinPresence("app", "presence-final", PresenceMember{ownUser, "\"u\"", "null"}, 0);
        });
    }
    for (auto& thread : threads) thread.join();

    EXPECT_FALSE(state.channel("app", "presence-shared"));
    EXPECT_TRUE(state.presenceMembers("app", "presence-shared").empty());
    EXPECT_EQ(state.channel("app", "public-counted")->subscriptionCount, std::size_t{kThreads * kRounds});
    EXPECT_EQ(state.connectionCount("app"), std::size_t{kThreads * kRounds / 2});
    EXPECT_EQ(rejectedConnections.load(), kThreads * kRounds / 2);
    EXPECT_EQ(state.presenceMembers("app", "presence-final").size(), std::size_t{kThreads});
    EXPECT_TRUE(state.cachedEvent("app", "cache-shared"));
}

}  // namespace
}  // namespace resound::state
