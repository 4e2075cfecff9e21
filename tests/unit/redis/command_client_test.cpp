// CommandClient against a real redis-server: commands, pipelining, scripts (NOSCRIPT fallback),
// AUTH + SELECT, and bounded failure while Redis is stopped or hung.
#include <gtest/gtest.h>

#include <array>
#include <functional>
#include <thread>

#include "RedisServer.h"
#include "redis/CommandClient.h"

namespace resound::redis {
namespace {

using namespace std::chrono_literals;
using testing::eventually;
using testing::millisecondsOf;
using testing::RedisServer;

TEST(CommandClient, CommandsAndPipelines) {
    SKIP_WITHOUT_REDIS();
    RedisServer server;
    CommandClient client(server.options());
    auto set = client.command({"SET", "k", std::string_view("v\0\r\n", 4)});
    ASSERT_TRUE(set);
    EXPECT_EQ(set->text, "OK");
    auto get = client.command({"GET", "k"});
    ASSERT_TRUE(get);
    EXPECT_EQ(get->text, std::string("v\0\r\n", 4));

    Pipeline pipeline;
    pipeline.command({"INCR", "n"});
    pipeline.command({"INCR", "n"});
    pipeline.command({"GET", "missing"});
    pipeline.command({"LRANGE", "missing", "0", "-1"});
    std::vector<RespValue> replies;
    ASSERT_TRUE(client.execute(pipeline, replies));
    ASSERT_EQ(replies.size(), 4u);
    EXPECT_EQ(replies[1].integer, 2);
    EXPECT_EQ(replies[2].type, RespValue::Type::NullBulk);
    EXPECT_EQ(replies[3].type, RespValue::Type::Array);  // empty, not null
    EXPECT_TRUE(replies[3].elements.empty());
}

TEST(CommandClient, ScriptsSurviveScriptFlush) {
    SKIP_WITHOUT_REDIS();
    RedisServer server;
    CommandClient client(server.options());
    const LuaScript script("return {KEYS[1], ARGV[1], {}}");
    const std::array<std::string_view, 1> keys{"key"};
    const std::array<std::string_view, 1> args{"arg"};
    for (int round = 0; round < 2; ++round) {
        auto reply = client.eval(script, keys, args);
        ASSERT_TRUE(reply);
        ASSERT_EQ(reply->elements.size(), 3u) << reply->text;
        EXPECT_EQ(reply->elements[0].text, "key");
        EXPECT_EQ(reply->elements[1].text, "arg");
        EXPECT_TRUE(reply->elements[2].isArray());
        ASSERT_TRUE(client.command({"SCRIPT", "FLUSH"}));  // the next eval meets NOSCRIPT
    }
    Pipeline pipeline;
    pipeline.eval(script, keys, args);
    pipeline.eval(script, keys, args);
    std::vector<RespValue> replies;
    ASSERT_TRUE(client.execute(pipeline, replies));
    ASSERT_EQ(replies.size(), 2u);
    EXPECT_EQ(replies[1].elements[1].text, "arg");
}

// A ScriptCall's own strings go out as they are, on EVALSHA, on the EVAL after a flush, and pipelined.
TEST(CommandClient, ScriptCallsSendTheirKeysAndArgs) {
    SKIP_WITHOUT_REDIS();
    RedisServer server;
    CommandClient client(server.options());
    const LuaScript script("return {#KEYS, KEYS[2], ARGV[1], ARGV[2]}");
    const ScriptCall call{&script, {"k1", std::string("k\r\n\0two", 7)}, {std::string(100, 'a'), ""}};
    auto expectEcho = [&](const RespValue& reply) {
        ASSERT_EQ(reply.elements.size(), 4u) << reply.text;
        EXPECT_EQ(reply.elements[0].integer, 2);
        EXPECT_EQ(reply.elements[1].text, call.keys[1]);
        EXPECT_EQ(reply.elements[2].text, call.args[0]);
        EXPECT_EQ(reply.elements[3].text, "");
    };
    for (int round = 0; round < 2; ++round) {
        auto reply = client.eval(call);
        ASSERT_TRUE(reply);
        expectEcho(*reply);
        ASSERT_TRUE(client.command({"SCRIPT", "FLUSH"}));  // the next eval meets NOSCRIPT
    }
    Pipeline pipeline;
    pipeline.eval(call);
    pipeline.eval(call);
    std::vector<RespValue> replies;
    ASSERT_TRUE(client.execute(pipeline, replies));
    ASSERT_EQ(replies.size(), 2u);
    for (const RespValue& reply : replies) expectEcho(reply);
}

TEST(CommandClient, AuthenticatesAndSelectsTheDatabase) {
    SKIP_WITHOUT_REDIS();
    RedisServer server({"--requirepass", "s3cret"});
    ConnectionOptions options = server.options();
    options.password = "s3cret";
    options.db = 3;
    CommandClient db3(options);
    ASSERT_TRUE(db3.command({"SET", "where", "three"}));
    options.db = 0;
    CommandClient db0(options);
    auto none = db0.command({"GET", "where"});
    ASSERT_TRUE(none);
    EXPECT_TRUE(none->isNull());
    auto three = db3.command({"GET", "where"});
    ASSERT_TRUE(three);
    EXPECT_EQ(three->text, "three");

    options.password = "wrong";
    CommandClient refused(options);
    EXPECT_FALSE(refused.command({"PING"}));
    EXPECT_FALSE(refused.available());
}

TEST(CommandClient, FailsFastWhileRedisIsDownAndRecovers) {
    SKIP_WITHOUT_REDIS();
    RedisServer server;
    CommandClient client(server.options());
    ASSERT_TRUE(client.command({"PING"}));
    server.stop();
    EXPECT_LT(millisecondsOf([&] { EXPECT_FALSE(client.command({"PING"})); }), 300);
    EXPECT_FALSE(client.available());
    EXPECT_LT(millisecondsOf([&] {
                  for (int i = 0; i < 100; ++i) EXPECT_FALSE(client.command({"PING"}));
              }),
              300);
    ASSERT_TRUE(server.start());
    // Backoff is capped at 400 ms in these options.
    EXPECT_TRUE(eventually([&] { return client.command({"PING"}).has_value(); }, 2000ms));
    EXPECT_TRUE(client.available());
    EXPECT_GE(client.reconnects(), 1u);
}

TEST(CommandClient, HungRedisCostsAtMostTheIoTimeout) {
    SKIP_WITHOUT_REDIS();
    RedisServer server;
    CommandClient client(server.options());
    ASSERT_TRUE(client.command({"PING"}));
    server.pause();
    EXPECT_LT(millisecondsOf([&] { EXPECT_FALSE(client.command({"PING"})); }), 300 + 200);
    // Later calls fail at once or after one bounded probe.
    for (int i = 0; i < 5; ++i) {
        EXPECT_LT(millisecondsOf([&] { EXPECT_FALSE(client.command({"PING"})); }), 300 + 300 + 200);
    }
    server.resume();
    EXPECT_TRUE(eventually([&] { return client.command({"PING"}).has_value(); }, 3000ms));
}

// Runs `body` on a thread marked as an event loop (the mark is per thread and stays with it).
void onLoopThread(const std::function<void()>& body) {
    std::thread loop([&] {
        CommandClient::markEventLoopThread();
        body();
    });
    loop.join();
}

TEST(CommandClient, EventLoopThreadsWaitAtMostTheLoopTimeoutAndNeverProbe) {
    SKIP_WITHOUT_REDIS();
    RedisServer server;
    ConnectionOptions options = server.options();
    options.loopIoTimeout = 40ms;
    CommandClient client(options);
    EXPECT_FALSE(CommandClient::onEventLoopThread());
    EXPECT_EQ(client.callTimeout(), 300ms);
    onLoopThread([&] {
        EXPECT_TRUE(CommandClient::onEventLoopThread());
        EXPECT_EQ(client.callTimeout(), 40ms);
        ASSERT_TRUE(client.command({"PING"}));

        server.pause();
        // The call in flight when Redis hung: the loop timeout, not ioTimeout (300 ms).
        const auto first = millisecondsOf([&] { EXPECT_FALSE(client.command({"PING"})); });
        EXPECT_GE(first, 35);
        EXPECT_LT(first, 200);
        EXPECT_FALSE(client.available());
        // Past every backoff step (50 ms doubling to 400 ms): a loop thread still never probes a hung
        // Redis (each probe would be a connect to it plus a wait), so every call fails at once.
        const auto later = millisecondsOf([&] {
            for (int i = 0; i < 60; ++i) {
                EXPECT_FALSE(client.command({"PING"}));
                std::this_thread::sleep_for(10ms);
            }
        });
        EXPECT_LT(later, 600 + 150);
    });

    server.resume();
    // Another thread's call probes and ends the outage; loop threads use Redis again afterwards.
    EXPECT_TRUE(eventually([&] { return client.command({"PING"}).has_value(); }, 3000ms));
    EXPECT_TRUE(client.available());
    onLoopThread([&] { EXPECT_TRUE(client.command({"PING"})); });
}

TEST(CommandClient, EventLoopThreadsDoNotEndAnOutageThemselves) {
    SKIP_WITHOUT_REDIS();
    RedisServer server;
    CommandClient client(server.options());
    ASSERT_TRUE(client.command({"PING"}));
    server.stop();
    EXPECT_FALSE(client.command({"PING"}));
    ASSERT_TRUE(server.start());
    std::this_thread::sleep_for(500ms);  // past the longest backoff step
    onLoopThread([&] { EXPECT_FALSE(client.command({"PING"})) << "only a non-loop thread probes"; });
    EXPECT_FALSE(client.available());
    EXPECT_TRUE(client.command({"PING"}));
    onLoopThread([&] { EXPECT_TRUE(client.command({"PING"})); });
}

}  // namespace
}  // namespace resound::redis
