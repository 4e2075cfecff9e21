// RedisLoopClusterState: a loop's asynchronous mutations on its own LoopLink, against a real
// redis-server: one iteration's calls share one write, the answers match the synchronous ones
// (another node sees the same cluster counts), and a hung Redis answers from the local view after
// ioTimeout without the loop waiting.
#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <mutex>
#include <thread>

#include "RedisServer.h"
#include "loop/EventLoop.h"
#include "redis/KeySchema.h"
#include "redis/RedisClusterState.h"
#include "redis/RedisLoopClusterState.h"

namespace resound::redis {
namespace {

using namespace std::chrono_literals;
using testing::eventually;
using testing::RedisServer;

// A loop thread with the node's loop view, flushed after each iteration as an IoThread does.
class LoopNode {
  public:
    LoopNode(RedisClusterState& state, ConnectionOptions options) {
        view_ = std::make_unique<RedisLoopClusterState>(state, loop_, std::move(options));
        loop_.setAfterEventsHook([this] {
            if (view_) view_->flush();
        });
        loop_.setIterationHook([this](std::chrono::steady_clock::duration d) {
            std::lock_guard lock(mutex_);
            longest_ = std::max(longest_, d);
        });
        thread_ = std::thread([this] { loop_.run(); });
    }
    ~LoopNode() {
        loop_.post([this] { view_.reset(); });
        loop_.stop();
        thread_.join();
    }
    void onLoop(const std::function<void(RedisLoopClusterState&)>& work) {
        std::promise<void> done;
        loop_.post([&] {
            work(*view_);
            done.set_value();
        });
        done.get_future().wait();
    }
    std::chrono::steady_clock::duration longest() {
        std::lock_guard lock(mutex_);
        return longest_;
    }

  private:
    loop::EventLoop loop_;
    std::unique_ptr<RedisLoopClusterState> view_;
    std::mutex mutex_;
    std::chrono::steady_clock::duration longest_{};
    std::thread thread_;
};

TEST(RedisLoopClusterState, OneIterationsMutationsShareOneWriteAndCountClusterWide) {
    SKIP_WITHOUT_REDIS();
    RedisServer server;
    RedisClusterState state(std::make_shared<CommandClient>(server.options()),
                            RedisClusterState::Options{"loop"});
    RedisClusterState other(std::make_shared<CommandClient>(server.options()),
                            RedisClusterState::Options{"other"});
    ASSERT_EQ(other.addSubscription("app", "news"), 1u);
    LoopNode node(state, server.options());

    std::mutex mutex;
    std::vector<std::size_t> counts;
    std::optional<state::PresenceJoin> join;
    std::optional<bool> admitted;
    std::uint64_t writes = 0;
    node.onLoop([&](RedisLoopClusterState& view) {
        for (int i = 0; i < 3; ++i) {
            view.addSubscription("app", "news", [&](std::size_t n) {
                std::lock_guard lock(mutex);
                counts.push_back(n);
            });
        }
        view.joinPresence("app", "presence-room", {"alice", "\"alice\"", "null"}, 0,
                          [&](state::PresenceJoin j) {
                              std::lock_guard lock(mutex);
                              join = std::move(j);
                          });
        view.tryAddConnection("app", 10, [&](bool ok) {
            std::lock_guard lock(mutex);
            admitted = ok;
        });
    });
    ASSERT_TRUE(eventually(
        [&] {
            std::lock_guard lock(mutex);
            return admitted.has_value();
        },
        3000ms));
    node.onLoop([&](RedisLoopClusterState& view) { writes = view.link().roundTrips(); });
    EXPECT_EQ(writes, 1u) << "connect handshake, script loads and five calls in one write";
    std::lock_guard lock(mutex);
    EXPECT_EQ(counts, (std::vector<std::size_t>{2, 3, 4}));
    ASSERT_TRUE(join);
    EXPECT_EQ(join->status, state::PresenceJoinStatus::Joined);
    ASSERT_EQ(join->members.size(), 1u);
    EXPECT_TRUE(*admitted);
    EXPECT_EQ(other.channel("app", "news")->subscriptionCount, 4u);
    EXPECT_EQ(other.presenceMembers("app", "presence-room").size(), 1u);
    EXPECT_EQ(other.connectionCount("app"), 1u);
    EXPECT_TRUE(state.available());
}

// EVALSHA calls Redis has run since the last CONFIG RESETSTAT.
std::int64_t evalshaCalls(CommandClient& redis) {
    const auto info = redis.command({"INFO", "commandstats"});
    if (!info) return -1;
    const auto at = info->text.find("cmdstat_evalsha:calls=");
    if (at == std::string::npos) return 0;
    return std::stoll(info->text.substr(at + std::string_view("cmdstat_evalsha:calls=").size()));
}

// Connections of an app without a quota are only counted: one iteration's count is one script call.
TEST(RedisLoopClusterState, UnlimitedConnectionCountsOfOneIterationAreOneScriptCall) {
    SKIP_WITHOUT_REDIS();
    RedisServer server;
    CommandClient redis(server.options());
    RedisClusterState state(std::make_shared<CommandClient>(server.options()),
                            RedisClusterState::Options{"loop"});
    RedisClusterState other(std::make_shared<CommandClient>(server.options()),
                            RedisClusterState::Options{"other"});
    LoopNode node(state, server.options());
    ASSERT_TRUE(redis.command({"CONFIG", "RESETSTAT"}));

    // Nothing to decide without a quota: each caller is admitted before its call returns, and the
    // counts follow at the end of the iteration.
    int admitted = 0;
    node.onLoop([&](RedisLoopClusterState& view) {
        for (int i = 0; i < 40; ++i)
            view.tryAddConnection("app", 0, [&](bool ok) { admitted += ok ? 1 : 0; });
        view.tryAddConnection("other-app", 0, [&](bool ok) { admitted += ok ? 1 : 0; });
        EXPECT_EQ(admitted, 41) << "answered at once";
    });
    ASSERT_TRUE(eventually(
        [&] { return other.connectionCount("app") == 40u && other.connectionCount("other-app") == 1u; },
        3000ms));
    EXPECT_EQ(evalshaCalls(redis), 2) << "one per app";
    EXPECT_EQ(other.connectionCount("app"), 40u);
    EXPECT_EQ(other.connectionCount("other-app"), 1u);
    EXPECT_EQ(redis.command({"HGET", keys::nodeConnections(state.nodeId()), "app"})->text, "40");

    // A removal in the same iteration reaches Redis after the counts it follows (sent first, the node
    // would have nothing to remove yet and the counts would stay).
    node.onLoop([&](RedisLoopClusterState& view) {
        view.tryAddConnection("fresh", 0, [](bool) {});
        view.tryAddConnection("fresh", 0, [](bool) {});
        view.tryAddConnection("app", 0, [](bool) {});
        view.removeConnection("fresh");
        view.removeConnection("fresh");
        view.removeConnection("app");
        view.removeConnection("app");
    });
    ASSERT_TRUE(eventually([&] { return other.connectionCount("app") == 39u; }, 3000ms));
    EXPECT_EQ(other.connectionCount("fresh"), 0u);
    EXPECT_TRUE(redis.command({"HGET", keys::nodeConnections(state.nodeId()), "fresh"})->isNull());
    // A quota still goes one connection per call (its answer decides the admission).
    std::atomic<int> quota{-1};  // -1 unanswered, else admitted (1) or refused (0)
    node.onLoop([&](RedisLoopClusterState& view) {
        view.tryAddConnection("app", 39, [&](bool ok) { quota = ok ? 1 : 0; });
    });
    ASSERT_TRUE(eventually([&] { return quota.load() >= 0; }, 3000ms));
    EXPECT_EQ(quota.load(), 0) << "at its quota of 39";
    EXPECT_TRUE(state.available());
}

// One script call counts a batch in Redis, and each of its connections once in the local view: a node
// whose Redis lost its data re-registers them all.
TEST(RedisLoopClusterState, EachUnlimitedConnectionOfABatchCountsInTheLocalView) {
    SKIP_WITHOUT_REDIS();
    RedisServer server;
    CommandClient redis(server.options());
    RedisClusterState state(std::make_shared<CommandClient>(server.options()),
                            RedisClusterState::Options{"loop"});
    LoopNode node(state, server.options());
    node.onLoop([&](RedisLoopClusterState& view) {
        for (int i = 0; i < 5; ++i) view.tryAddConnection("app", 0, [](bool) {});
    });
    const auto countedFive = [&] {
        const auto reply = redis.command({"GET", keys::connections("app")});
        return reply && reply->text == "5";
    };
    ASSERT_TRUE(eventually(countedFive, 3000ms));

    server.stop();
    ASSERT_TRUE(server.start());
    EXPECT_FALSE(countedFive()) << "a restart without persistence loses the count";
    ASSERT_TRUE(eventually([&] { return state.renewLease({}, 10s) && state.available(); }, 3000ms));
    EXPECT_TRUE(countedFive()) << "re-registered from the local view";
}

TEST(RedisLoopClusterState, AHungRedisIsAnsweredFromTheLocalViewWithoutTheLoopWaiting) {
    SKIP_WITHOUT_REDIS();
    RedisServer server;
    RedisClusterState state(std::make_shared<CommandClient>(server.options()),
                            RedisClusterState::Options{"loop"});
    LoopNode node(state, server.options());  // ioTimeout 300 ms
    std::atomic<int> answered{0};
    node.onLoop([&](RedisLoopClusterState& view) {
        view.addSubscription("app", "news", [&](std::size_t) { ++answered; });
    });
    ASSERT_TRUE(eventually([&] { return answered == 1; }, 3000ms));

    server.pause();
    std::atomic<std::size_t> count{99};
    std::atomic<bool> last{true};
    const auto sent = std::chrono::steady_clock::now();
    node.onLoop([&](RedisLoopClusterState& view) {
        view.addSubscription("app", "news", [&](std::size_t n) { count = n; });
        view.leavePresence("app", "presence-room", "nobody", [&](bool l) {
            last = l;
            ++answered;
        });
    });
    ASSERT_TRUE(eventually([&] { return answered == 2; }, 3000ms));
    EXPECT_GE(std::chrono::steady_clock::now() - sent, 290ms);
    EXPECT_EQ(count.load(), 0u) << "unknown: never a cluster transition without Redis";
    EXPECT_FALSE(last.load());
    EXPECT_FALSE(state.available()) << "the failure marks the node for a resync";
    EXPECT_LT(node.longest(), 50ms) << "no loop iteration waited for Redis";
    server.resume();
}

}  // namespace
}  // namespace resound::redis
