// LoopLink against a real redis-server, driven by a real EventLoop on its own thread: what one
// iteration queues goes out in one write and comes back in order, scripts load on first use, a hung
// Redis fails outstanding commands after ioTimeout without any loop iteration waiting for it, and
// the link comes back after a restart.
#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <future>
#include <mutex>
#include <thread>

#include "RedisServer.h"
#include "loop/EventLoop.h"
#include "redis/LoopLink.h"

namespace resound::redis {
namespace {

using namespace std::chrono_literals;
using testing::eventually;
using testing::RedisServer;

// An EventLoop on a thread with a LoopLink flushed after every iteration, as an IoThread does.
class LinkOnLoop {
  public:
    explicit LinkOnLoop(ConnectionOptions options) {
        link_ = std::make_unique<LoopLink>(loop_, std::move(options), "test link");
        loop_.setAfterEventsHook([this] {
            if (link_) link_->flush();
        });
        loop_.setTickHook(50ms, [] {});
        loop_.setIterationHook([this](std::chrono::steady_clock::duration d) {
            std::lock_guard lock(mutex_);
            longest_ = std::max(longest_, d);
        });
        thread_ = std::thread([this] { loop_.run(); });
    }
    ~LinkOnLoop() {
        loop_.post([this] { link_.reset(); });
        loop_.stop();
        thread_.join();
    }

    // Runs `work` on the loop thread (one iteration) and waits for it.
    void onLoop(const std::function<void(LoopLink&)>& work) {
        std::promise<void> done;
        loop_.post([&] {
            work(*link_);
            done.set_value();
        });
        done.get_future().wait();
    }
    std::chrono::steady_clock::duration longestIteration() {
        std::lock_guard lock(mutex_);
        return longest_;
    }
    void resetLongest() {
        std::lock_guard lock(mutex_);
        longest_ = {};
    }

  private:
    loop::EventLoop loop_;
    std::unique_ptr<LoopLink> link_;
    std::mutex mutex_;
    std::chrono::steady_clock::duration longest_{};
    std::thread thread_;
};

// Replies collected from callbacks (which run on the loop thread).
struct Answers {
    std::mutex mutex;
    std::vector<std::optional<RespValue>> replies;
    LoopLink::Callback collect() {
        return [this](std::optional<RespValue> reply) {
            std::lock_guard lock(mutex);
            replies.push_back(std::move(reply));
        };
    }
    std::size_t size() {
        std::lock_guard lock(mutex);
        return replies.size();
    }
};

TEST(LoopLink, OneIterationsCommandsShareOneWriteAndAnswerInOrder) {
    SKIP_WITHOUT_REDIS();
    RedisServer server;
    LinkOnLoop link(server.options());
    Answers answers;
    std::uint64_t writesBefore = 0, writesAfter = 0;
    link.onLoop([&](LoopLink& l) {
        writesBefore = l.roundTrips();
        for (int i = 0; i < 50; ++i) l.command({"INCR", "counter"}, answers.collect());
        l.command({"GET", "missing"}, answers.collect());
    });
    ASSERT_TRUE(eventually([&] { return answers.size() == 51; }, 3000ms));
    link.onLoop([&](LoopLink& l) {
        writesAfter = l.roundTrips();
        EXPECT_TRUE(l.up());
        EXPECT_EQ(l.outstanding(), 0u);
    });
    EXPECT_EQ(writesAfter - writesBefore, 1u) << "51 commands of one iteration, one write";
    std::lock_guard lock(answers.mutex);
    for (int i = 0; i < 50; ++i) {
        ASSERT_TRUE(answers.replies[i]);
        EXPECT_EQ(answers.replies[i]->integer, i + 1);
    }
    ASSERT_TRUE(answers.replies[50]);
    EXPECT_TRUE(answers.replies[50]->isNull());
}

TEST(LoopLink, LoadsScriptsOnFirstUseAndAfterAFlush) {
    SKIP_WITHOUT_REDIS();
    RedisServer server;
    LinkOnLoop link(server.options());
    const LuaScript script("return {KEYS[1], ARGV[1]}");
    const std::array<std::string_view, 1> keys{"key"};
    const std::array<std::string_view, 1> args{"arg"};
    Answers answers;
    link.onLoop([&](LoopLink& l) {
        l.eval(script, keys, args, answers.collect());
        l.eval(script, keys, args, answers.collect());
        l.command({"SCRIPT", "FLUSH"}, answers.collect());
    });
    ASSERT_TRUE(eventually([&] { return answers.size() == 3; }, 3000ms));
    link.onLoop([&](LoopLink& l) { l.eval(script, keys, args, answers.collect()); });  // meets NOSCRIPT
    ASSERT_TRUE(eventually([&] { return answers.size() == 4; }, 3000ms));
    link.onLoop([&](LoopLink& l) { l.eval(script, keys, args, answers.collect()); });  // loads again
    ASSERT_TRUE(eventually([&] { return answers.size() == 5; }, 3000ms));
    std::lock_guard lock(answers.mutex);
    for (int i : {0, 1, 4}) {
        ASSERT_TRUE(answers.replies[i]);
        ASSERT_EQ(answers.replies[i]->elements.size(), 2u);
        EXPECT_EQ(answers.replies[i]->elements[1].text, "arg");
    }
    ASSERT_TRUE(answers.replies[3]);
    EXPECT_TRUE(answers.replies[3]->isErrorCode("NOSCRIPT"));
}

TEST(LoopLink, ScriptCallsSendTheirKeysAndArgs) {
    SKIP_WITHOUT_REDIS();
    RedisServer server;
    LinkOnLoop link(server.options());
    const LuaScript script("return {#KEYS, KEYS[2], ARGV[1], ARGV[2]}");
    const ScriptCall call{&script, {"k1", std::string("k\r\n\0two", 7)}, {std::string(100, 'a'), ""}};
    Answers answers;
    link.onLoop([&](LoopLink& l) {
        l.eval(call, answers.collect());
        l.eval(call, answers.collect());
    });
    ASSERT_TRUE(eventually([&] { return answers.size() == 2; }, 3000ms));
    std::lock_guard lock(answers.mutex);
    for (const auto& reply : answers.replies) {
        ASSERT_TRUE(reply);
        ASSERT_EQ(reply->elements.size(), 4u) << reply->text;
        EXPECT_EQ(reply->elements[0].integer, 2);
        EXPECT_EQ(reply->elements[1].text, call.keys[1]);
        EXPECT_EQ(reply->elements[2].text, call.args[0]);
        EXPECT_EQ(reply->elements[3].text, "");
    }
}

TEST(LoopLink, AHungRedisFailsCommandsAfterIoTimeoutWithoutStallingTheLoop) {
    SKIP_WITHOUT_REDIS();
    RedisServer server;
    ConnectionOptions options = server.options();  // ioTimeout 300 ms, backoff 50..400 ms
    LinkOnLoop link(options);
    Answers warmup;
    link.onLoop([&](LoopLink& l) { l.command({"PING"}, warmup.collect()); });
    ASSERT_TRUE(eventually([&] { return warmup.size() == 1; }, 3000ms));

    server.pause();
    link.resetLongest();
    Answers hung;
    const auto sent = std::chrono::steady_clock::now();
    link.onLoop([&](LoopLink& l) {
        for (int i = 0; i < 10; ++i) l.command({"INCR", "n"}, hung.collect());
    });
    ASSERT_TRUE(eventually([&] { return hung.size() == 10; }, 3000ms));
    const auto waited = std::chrono::steady_clock::now() - sent;
    EXPECT_GE(waited, 290ms);
    EXPECT_LT(waited, 1500ms);  // ioTimeout, checked at the next iteration (ticks every 50 ms)
    {
        std::lock_guard lock(hung.mutex);
        for (const auto& r : hung.replies) EXPECT_FALSE(r);
    }
    // While Redis stays hung, later commands are refused at once (no second ioTimeout per caller).
    Answers later;
    const auto laterSent = std::chrono::steady_clock::now();
    link.onLoop([&](LoopLink& l) { l.command({"PING"}, later.collect()); });
    ASSERT_TRUE(eventually([&] { return later.size() == 1; }, 3000ms));
    EXPECT_LT(std::chrono::steady_clock::now() - laterSent, 150ms);
    EXPECT_LT(link.longestIteration(), 50ms) << "no iteration waited for Redis";

    server.resume();
    EXPECT_TRUE(eventually(
        [&] {
            Answers probe;
            link.onLoop([&](LoopLink& l) { l.command({"PING"}, probe.collect()); });
            if (!eventually([&] { return probe.size() == 1; }, 2000ms)) return false;
            std::lock_guard lock(probe.mutex);
            return probe.replies[0].has_value();
        },
        5000ms));
}

TEST(LoopLink, ReconnectsAfterARestartAndRefusesWhileDown) {
    SKIP_WITHOUT_REDIS();
    RedisServer server;
    LinkOnLoop link(server.options());
    Answers first;
    link.onLoop([&](LoopLink& l) { l.command({"SET", "k", "v"}, first.collect()); });
    ASSERT_TRUE(eventually([&] { return first.size() == 1; }, 3000ms));

    server.stop();
    Answers down;
    link.onLoop([&](LoopLink& l) { l.command({"GET", "k"}, down.collect()); });
    ASSERT_TRUE(eventually([&] { return down.size() == 1; }, 3000ms));
    {
        std::lock_guard lock(down.mutex);
        EXPECT_FALSE(down.replies[0]);
    }
    ASSERT_TRUE(server.start());  // same port, empty data set
    EXPECT_TRUE(eventually(
        [&] {
            Answers again;
            link.onLoop([&](LoopLink& l) { l.command({"SET", "k", "w"}, again.collect()); });
            if (!eventually([&] { return again.size() == 1; }, 2000ms)) return false;
            std::lock_guard lock(again.mutex);
            return again.replies[0] && again.replies[0]->text == "OK";
        },
        5000ms));
}

// Reconnect attempts follow the shared ReconnectBackoff (doubling, jittered), not one per caller.
TEST(LoopLink, ConnectAttemptsToAnAbsentRedisBackOff) {
    ConnectionOptions options;
    options.port = testing::freeLoopbackPort();  // nobody listens: each connect is refused at once
    options.backoffInitial = 50ms;
    options.backoffMax = 400ms;
    LinkOnLoop link(options);
    Answers answers;
    const auto started = std::chrono::steady_clock::now();
    int asked = 0;
    while (std::chrono::steady_clock::now() - started < 1500ms) {
        link.onLoop([&](LoopLink& l) { l.command({"PING"}, answers.collect()); });
        ++asked;
        std::this_thread::sleep_for(5ms);
    }
    ASSERT_TRUE(eventually([&] { return answers.size() == static_cast<std::size_t>(asked); }, 3000ms));
    std::uint64_t attempts = 0;
    link.onLoop([&](LoopLink& l) { attempts = l.failures(); });
    // Waits of at least 25, 50, 100, 200, 200... ms (half of 50 doubling to 400): at most 10 attempts
    // in 1.5 s, where a caller-driven retry would have made one per command (~200).
    EXPECT_GE(attempts, 3u);
    EXPECT_LE(attempts, 10u);
    std::lock_guard lock(answers.mutex);
    for (const auto& reply : answers.replies) EXPECT_FALSE(reply);
}

}  // namespace
}  // namespace resound::redis
