// One webhook sender per cluster: SenderLease against a real redis-server, and two WebhookWorkers on
// one list of which only the lease holder delivers, with takeover after a clean stop and after the
// holder vanished (its lease ran out). Skipped when redis-server is not installed.
#include <Poco/Redis/Array.h>
#include <Poco/Redis/Client.h>
#include <gtest/gtest.h>

#include "RedisServer.h"
#include "WebhookTestSupport.h"
#include "webhooks/QueuedEventCodec.h"
#include "webhooks/SenderLease.h"
#include "webhooks/WebhookWorker.h"

namespace resound::webhooks::test {
namespace {

using Kind = WebhookEvent::Kind;
using std::chrono::milliseconds;

const std::string kLeaseKey = "test:sender";
const std::string kListKey = "test:events";

// Sends a command whose answer the test does not need (any type).
void run(Poco::Redis::Client& client, std::initializer_list<std::string> words) {
    Poco::Redis::Array command;
    for (const auto& word : words) command << word;
    client.sendCommand(command);
}

Poco::Int64 listLength(Poco::Redis::Client& client) {
    Poco::Redis::Array command;
    command << "LLEN" << kListKey;
    return client.execute<Poco::Int64>(command);
}

// A candidate sender: its own dispatcher (recording what it would deliver) and worker.
struct Candidate {
    std::shared_ptr<PostLog> log = std::make_shared<PostLog>();
    std::unique_ptr<WebhookDispatcher> dispatcher;
    std::unique_ptr<WebhookWorker> worker;

    Candidate(const std::vector<config::AppConfig>& apps, std::uint16_t port, std::string id) {
        DispatcherOptions options;
        options.posterFactory = [this](const config::WebhookTarget&) {
            return std::make_unique<FakePoster>(log);
        };
        dispatcher = std::make_unique<WebhookDispatcher>(apps, options);
        dispatcher->start();
        config::RedisConfig redis;
        redis.host = "127.0.0.1";
        redis.port = port;
        WorkerOptions workerOptions;
        workerOptions.keys = WebhookKeys::withPrefix("test:");  // test:events, test:sender, ...
        workerOptions.leaseTtl = milliseconds(3000);
        workerOptions.timeout = milliseconds(500);
        workerOptions.standbyRetry = milliseconds(100);
        workerOptions.senderId = std::move(id);
        worker = std::make_unique<WebhookWorker>(redis, *dispatcher, workerOptions);
    }
    ~Candidate() {
        worker->stop();
        dispatcher->stop();
    }
};

bool waitUntil(const std::function<bool()>& done, milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        if (done()) return true;
        std::this_thread::sleep_for(milliseconds(20));
    }
    return done();
}

class SenderLeaseTest : public ::testing::Test {
  protected:
    void SetUp() override {
        SKIP_WITHOUT_REDIS();
        ASSERT_TRUE(redis.start());
        client.connect("127.0.0.1", port, Poco::Timespan(1, 0));
        apps.push_back(app("app1", {target("http://a/", {"channel_occupied"})}));
    }
    // Pushes what an edge's RedisWebhookSink would push: one occupied channel per name.
    void push(const std::string& channel) {
        run(client, {"RPUSH", kListKey, encodeQueuedEvent("app1", event(Kind::ChannelOccupied, channel))});
    }

    std::uint16_t port = redis::testing::freeLoopbackPort();
    redis::testing::RedisServer redis{redis::testing::RedisServerOptions{port, {}, false}};
    Poco::Redis::Client client;
    std::vector<config::AppConfig> apps;
};

TEST_F(SenderLeaseTest, OneHolderAtATimeAndOnlyTheHolderReleases) {
    SenderLease a(kLeaseKey, "a", milliseconds(5000));
    SenderLease b(kLeaseKey, "b", milliseconds(5000));
    EXPECT_TRUE(a.acquireOrRenew(client));
    EXPECT_FALSE(b.acquireOrRenew(client));
    EXPECT_TRUE(a.acquireOrRenew(client));  // renewal
    EXPECT_EQ(a.holder(client), "a");
    b.release(client);  // not b's: nothing happens
    EXPECT_EQ(a.holder(client), "a");
    a.release(client);
    EXPECT_EQ(a.holder(client), "");
    EXPECT_TRUE(b.acquireOrRenew(client));
}

TEST_F(SenderLeaseTest, AnExpiredLeaseGoesToTheNextCandidate) {
    SenderLease a(kLeaseKey, "a", milliseconds(200));
    SenderLease b(kLeaseKey, "b", milliseconds(5000));
    ASSERT_TRUE(a.acquireOrRenew(client));
    EXPECT_FALSE(b.acquireOrRenew(client));
    std::this_thread::sleep_for(milliseconds(300));  // a died: no renewal
    EXPECT_TRUE(b.acquireOrRenew(client));
    EXPECT_FALSE(a.acquireOrRenew(client));
}

TEST_F(SenderLeaseTest, OnlyTheSenderDeliversAndEachEventOnce) {
    Candidate first(apps, port, "first");
    first.worker->start();
    ASSERT_TRUE(waitUntil([&] { return first.worker->isSender(); }, milliseconds(3000)));
    Candidate second(apps, port, "second");
    second.worker->start();
    for (int i = 0; i < 20; ++i) push("c" + std::to_string(i));
    ASSERT_TRUE(first.log->waitFor(20));
    std::this_thread::sleep_for(milliseconds(300));
    EXPECT_EQ(first.log->count(), 20u);
    EXPECT_EQ(second.log->count(), 0u);
    EXPECT_FALSE(second.worker->isSender());
    EXPECT_EQ(first.worker->takeovers(), 1u);
}

TEST_F(SenderLeaseTest, ACleanStopHandsOverAtOnce) {
    Candidate first(apps, port, "first");
    first.worker->start();
    ASSERT_TRUE(waitUntil([&] { return first.worker->isSender(); }, milliseconds(3000)));
    Candidate second(apps, port, "second");
    second.worker->start();
    push("before");
    ASSERT_TRUE(first.log->waitFor(1));
    first.worker->stop();  // releases the lease
    const auto stopped = std::chrono::steady_clock::now();
    push("after");
    ASSERT_TRUE(second.log->waitFor(1, milliseconds(3000)));
    EXPECT_LT(std::chrono::steady_clock::now() - stopped, milliseconds(1500));  // not a lease's wait
    EXPECT_NE(second.log->snapshot()[0].body.find("after"), std::string::npos);
    EXPECT_EQ(first.log->count(), 1u);
}

TEST_F(SenderLeaseTest, EventsWaitInRedisUntilADeadSendersLeaseRunsOut) {
    // A sender that died without releasing: its lease is still there for 1.5 s.
    run(client, {"SET", kLeaseKey, "dead-sender", "PX", "1500"});
    Candidate standby(apps, port, "standby");
    standby.worker->start();
    for (int i = 0; i < 5; ++i) push("waiting" + std::to_string(i));
    std::this_thread::sleep_for(milliseconds(500));
    EXPECT_EQ(standby.log->count(), 0u);
    EXPECT_EQ(listLength(client), 5);
    ASSERT_TRUE(standby.log->waitFor(5, milliseconds(4000)));  // after the lease, nothing lost
    EXPECT_TRUE(standby.worker->isSender());
}

TEST_F(SenderLeaseTest, ASenderThatLostItsLeaseStopsTaking) {
    Candidate sender(apps, port, "sender");
    sender.worker->start();
    ASSERT_TRUE(waitUntil([&] { return sender.worker->isSender(); }, milliseconds(3000)));
    // Another process now holds it (e.g. this one was paused longer than the lease).
    run(client, {"SET", kLeaseKey, "usurper", "PX", "60000"});
    ASSERT_TRUE(waitUntil([&] { return !sender.worker->isSender(); }, milliseconds(3000)));
    std::this_thread::sleep_for(milliseconds(1600));  // a pop started before the loss has ended
    push("not-for-you");
    std::this_thread::sleep_for(milliseconds(1500));
    EXPECT_EQ(sender.log->count(), 0u);
    EXPECT_EQ(listLength(client), 1);
}

TEST(WebhookWorkerOptions, ALeaseNoLongerThanOneClaimRoundIsRefused) {
    WebhookDispatcher dispatcher({app("app1", {target("http://a/", {"channel_occupied"})})});
    WorkerOptions options;
    options.leaseTtl = milliseconds(3100);  // = 3 s timeout + 100 ms poll
    EXPECT_THROW(WebhookWorker(config::RedisConfig{}, dispatcher, options), std::invalid_argument);
}

}  // namespace
}  // namespace resound::webhooks::test
