// The bundle's webhook queue against a real redis-server: an accepted event stays in Redis until its
// outcome is final; a sender that stops hands what it holds back at once, a standby that takes a dead
// sender's lease re-queues what that sender held, and the grace period lives in Redis, so it holds
// across a change of sender. Skipped when redis-server is not installed.
#include <Poco/Redis/Array.h>
#include <gtest/gtest.h>

#include <set>

#include "RedisServer.h"
#include "WebhookTestSupport.h"
#include "webhooks/QueuedEventCodec.h"
#include "webhooks/RedisWebhookSink.h"
#include "webhooks/WebhookQueue.h"
#include "webhooks/WebhookWorker.h"

namespace resound::webhooks::test {
namespace {

using Kind = WebhookEvent::Kind;
using redis::testing::eventually;
using std::chrono::milliseconds;

const WebhookKeys kKeys = WebhookKeys::withPrefix("q:");

Poco::Int64 integer(Poco::Redis::Client& client, std::initializer_list<std::string> words) {
    Poco::Redis::Array command;
    for (const auto& word : words) command << word;
    return client.execute<Poco::Int64>(command);
}

void send(Poco::Redis::Client& client, std::initializer_list<std::string> words) {
    Poco::Redis::Array command;
    for (const auto& word : words) command << word;
    client.sendCommand(command);
}

// A candidate sender as resound-monitor runs it: dispatcher without its own grace period, worker.
struct Sender {
    std::shared_ptr<PostLog> log;
    std::unique_ptr<WebhookDispatcher> dispatcher;
    std::unique_ptr<WebhookWorker> worker;

    Sender(const std::vector<config::AppConfig>& apps, std::uint16_t port, std::string id,
           std::shared_ptr<PostLog> sharedLog)
        : log(std::move(sharedLog)) {
        DispatcherOptions options;
        options.applyGracePeriod = false;
        options.initialRetryDelay = milliseconds(20);
        options.maxRetryDelay = milliseconds(50);
        options.stopDrain = milliseconds(300);
        options.posterFactory = [this](const config::WebhookTarget&) {
            return std::make_unique<FakePoster>(log);
        };
        dispatcher = std::make_unique<WebhookDispatcher>(apps, options);
        dispatcher->start();
        const config::RedisConfig redis = redis::testing::loopbackRedisConfig(port);
        WorkerOptions workerOptions;
        workerOptions.keys = kKeys;
        workerOptions.leaseTtl = milliseconds(1500);
        workerOptions.timeout = milliseconds(500);
        workerOptions.pollInterval = milliseconds(20);
        workerOptions.standbyRetry = milliseconds(50);
        workerOptions.senderId = std::move(id);
        worker = std::make_unique<WebhookWorker>(redis, *dispatcher, workerOptions);
        worker->start();
    }
    // What resound-monitor does on SIGTERM.
    void stop() {
        worker->beginStop();
        dispatcher->stop();
        worker->stop();
    }
    ~Sender() { stop(); }
};

class WebhookQueueTest : public ::testing::Test {
  protected:
    void SetUp() override {
        SKIP_WITHOUT_REDIS();
        ASSERT_TRUE(redis.start());
        client.connect("127.0.0.1", port, Poco::Timespan(1, 0));
        auto a = app("app1", {target("http://a/", {"channel_occupied", "channel_vacated"})}, 300);
        a.webhookRetryWindowMs = 60000;
        apps.push_back(a);
    }
    std::unique_ptr<RedisWebhookSink> edge() {
        RedisSinkOptions options;
        options.keys = kKeys;
        auto sink =
            std::make_unique<RedisWebhookSink>(apps, config::RedisConfig{"127.0.0.1", port, "", 0}, options);
        sink->start();
        return sink;
    }
    Poco::Int64 waiting() { return integer(client, {"LLEN", kKeys.events}); }
    Poco::Int64 claimedBy(const std::string& sender) {
        return integer(client, {"ZCARD", kKeys.claimedPrefix + sender});
    }
    // Event ids of the accepted requests, each once per request.
    static std::multiset<std::string> deliveredIds(PostLog& log) {
        std::multiset<std::string> ids;
        for (const auto& r : log.accepted()) {
            for (const auto& [name, value] : r.headers) {
                if (name == "X-Resound-Webhook-Id") ids.insert(value);
            }
        }
        return ids;
    }

    std::uint16_t port = redis::testing::freeLoopbackPort();
    redis::testing::RedisServer redis{redis::testing::RedisServerOptions{port, {}, false}};
    Poco::Redis::Client client;
    std::vector<config::AppConfig> apps;
};

TEST_F(WebhookQueueTest, AnEntryLeavesRedisOnlyOnceDelivered) {
    auto log = std::make_shared<PostLog>();
    std::atomic<bool> receiverUp{false};
    log->statusOf = [&](const WebhookRequest&) { return receiverUp ? 200 : 503; };
    Sender sender(apps, port, "s1", log);
    auto sink = edge();
    for (int i = 0; i < 10; ++i) sink->emit(apps[0], event(Kind::ChannelOccupied, "c" + std::to_string(i)));
    ASSERT_TRUE(eventually([&] { return claimedBy("s1") == 10; }, milliseconds(3000)));
    ASSERT_TRUE(log->waitFor(20));  // failing, retried: still in Redis
    EXPECT_EQ(claimedBy("s1"), 10);
    receiverUp = true;
    ASSERT_TRUE(eventually([&] { return claimedBy("s1") == 0; }, milliseconds(3000)));
    ASSERT_TRUE(log->waitForAccepted(10));
    EXPECT_EQ(deliveredIds(*log).size(), 10u);
    EXPECT_EQ(waiting(), 0);
}

TEST_F(WebhookQueueTest, AStoppingSenderHandsItsEventsBackAndTheNextSendsThemAtOnce) {
    auto downLog = std::make_shared<PostLog>();
    downLog->statusOf = [](const WebhookRequest&) { return 503; };
    auto first = std::make_unique<Sender>(apps, port, "first", downLog);
    ASSERT_TRUE(eventually([&] { return first->worker->isSender(); }, milliseconds(3000)));
    auto sink = edge();
    for (int i = 0; i < 10; ++i) sink->emit(apps[0], event(Kind::ChannelOccupied, "c" + std::to_string(i)));
    ASSERT_TRUE(eventually([&] { return claimedBy("first") == 10; }, milliseconds(3000)));
    first->stop();
    EXPECT_EQ(claimedBy("first"), 0);
    EXPECT_EQ(waiting(), 10);  // back at the head of the queue, in order
    EXPECT_EQ(first->worker->requeued(), 10u);
    EXPECT_EQ(integer(client, {"EXISTS", kKeys.lease}), 0);  // released

    auto upLog = std::make_shared<PostLog>();
    const auto handedOver = std::chrono::steady_clock::now();
    Sender second(apps, port, "second", upLog);
    ASSERT_TRUE(upLog->waitForAccepted(10, milliseconds(3000)));
    EXPECT_LT(std::chrono::steady_clock::now() - handedOver, milliseconds(1000));
    // The same events, with the ids the failed attempts carried.
    std::set<std::string> triedIds;
    for (const auto& r : downLog->snapshot()) {
        for (const auto& [name, value] : r.headers)
            if (name == "X-Resound-Webhook-Id") triedIds.insert(value);
    }
    const auto sentIds = deliveredIds(*upLog);
    EXPECT_EQ(sentIds.size(), 10u);
    for (const auto& id : triedIds) EXPECT_EQ(sentIds.count(id), 1u) << id;
    const auto bodies = upLog->snapshot();
    EXPECT_NE(bodies.front().body.find("\"c0\""), std::string::npos);  // order kept: c0 first
}

TEST_F(WebhookQueueTest, ATakeoverRequeuesWhatADeadSenderHeld) {
    // The state a sender killed with -9 leaves: two claimed entries, a lease that runs out in 400 ms.
    for (const char* channel : {"held-1", "held-2"}) {
        auto e = event(Kind::ChannelOccupied, channel);
        e.id = std::string("dead-") + channel;
        e.createdMs = wallClockMs();
        send(client, {"ZADD", kKeys.claimedPrefix + "dead", channel[5] == '1' ? "1" : "2",
                      encodeQueuedEvent("app1", e)});
    }
    send(client, {"SADD", kKeys.senders, "dead"});
    send(client, {"SET", kKeys.lease, "dead", "PX", "400"});
    auto log = std::make_shared<PostLog>();
    Sender standby(apps, port, "standby", log);
    ASSERT_TRUE(log->waitForAccepted(2, milliseconds(3000)));
    const auto ids = deliveredIds(*log);
    EXPECT_EQ(ids, (std::multiset<std::string>{"dead-held-1", "dead-held-2"}));
    EXPECT_EQ(standby.worker->requeued(), 2u);
    EXPECT_EQ(claimedBy("dead"), 0);
    EXPECT_EQ(integer(client, {"SISMEMBER", kKeys.senders, "dead"}), 0);
    ASSERT_TRUE(eventually([&] { return claimedBy("standby") == 0; }, milliseconds(2000)));
}

TEST_F(WebhookQueueTest, TheGracePeriodHoldsAcrossASenderChange) {
    auto log = std::make_shared<PostLog>();
    auto first = std::make_unique<Sender>(apps, port, "first", log);
    ASSERT_TRUE(eventually([&] { return first->worker->isSender(); }, milliseconds(3000)));
    auto edgeA = edge();
    auto edgeB = edge();
    edgeA->emit(apps[0], event(Kind::ChannelOccupied, "reload"));
    edgeA->emit(apps[0], event(Kind::ChannelOccupied, "gone"));
    ASSERT_TRUE(log->waitFor(2));
    edgeA->emit(apps[0], event(Kind::ChannelVacated, "reload"));  // held in Redis for 300 ms
    edgeA->emit(apps[0], event(Kind::ChannelVacated, "gone"));
    std::this_thread::sleep_for(milliseconds(50));
    first->stop();  // the sender changes while both leaves are in their grace period
    auto second = std::make_unique<Sender>(apps, port, "second", log);
    edgeB->emit(apps[0], event(Kind::ChannelOccupied, "reload"));  // back within the grace, on edge B
    ASSERT_TRUE(log->waitFor(3, milliseconds(3000)));
    std::this_thread::sleep_for(milliseconds(500));
    const auto requests = log->snapshot();
    ASSERT_EQ(requests.size(), 3u);  // occupied x2, then only the real leave
    EXPECT_NE(requests[2].body.find("channel_vacated"), std::string::npos);
    EXPECT_NE(requests[2].body.find("\"gone\""), std::string::npos);
    EXPECT_EQ(edgeB->cancelled(), 1u);
}

TEST_F(WebhookQueueTest, AClaimWhoseReplyWasLostIsPutBackAfterTheReconnect) {
    auto log = std::make_shared<PostLog>();
    Sender sender(apps, port, "s1", log);
    ASSERT_TRUE(eventually([&] { return sender.worker->isSender(); }, milliseconds(3000)));
    // In Redis but never in the sender's hands: what a claim leaves when its reply is lost.
    auto lost = event(Kind::ChannelOccupied, "lost-in-transit");
    lost.id = "lost-1";
    lost.createdMs = wallClockMs();
    send(client, {"ZADD", kKeys.claimedPrefix + "s1", "1", encodeQueuedEvent("app1", lost)});
    std::this_thread::sleep_for(milliseconds(200));
    EXPECT_EQ(log->count(), 0u);
    send(client, {"CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes"});  // the worker reconnects
    ASSERT_TRUE(log->waitForAccepted(1, milliseconds(3000)));
    EXPECT_EQ(deliveredIds(*log), (std::multiset<std::string>{"lost-1"}));
    EXPECT_EQ(sender.worker->requeued(), 1u);
    ASSERT_TRUE(eventually([&] { return claimedBy("s1") == 0; }, milliseconds(2000)));
}

TEST_F(WebhookQueueTest, AClaimNeedsTheLease) {
    send(client, {"SET", kKeys.lease, "someone-else", "PX", "60000"});
    send(client, {"RPUSH", kKeys.events, "x"});
    const ClaimOutcome outcome = claimEvents(client, kKeys, "me", 10);
    EXPECT_FALSE(outcome.leaseHeld);
    EXPECT_TRUE(outcome.entries.empty());
    EXPECT_EQ(waiting(), 1);
    EXPECT_EQ(requeueClaimed(client, kKeys, "me", true), -1);
}

}  // namespace
}  // namespace resound::webhooks::test
