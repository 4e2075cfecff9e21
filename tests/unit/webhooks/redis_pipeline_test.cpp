// RedisWebhookSink -> Redis list -> WebhookWorker -> one dispatcher, against a real redis-server
// started on a free loopback port (skipped when redis-server is not installed).
#include <gtest/gtest.h>

#include "RedisServer.h"
#include "WebhookTestSupport.h"
#include "webhooks/RedisWebhookSink.h"
#include "webhooks/WebhookWorker.h"

namespace resound::webhooks::test {
namespace {

using Kind = WebhookEvent::Kind;
using redis::testing::RedisServer;
using redis::testing::RedisServerOptions;
using std::chrono::milliseconds;

struct Cluster {
    std::uint16_t port = redis::testing::freeLoopbackPort();
    config::RedisConfig redis = redis::testing::loopbackRedisConfig(port);
    std::shared_ptr<PostLog> log = std::make_shared<PostLog>();
    std::vector<config::AppConfig> apps;
    std::unique_ptr<WebhookDispatcher> dispatcher;
    std::unique_ptr<WebhookWorker> worker;
    WebhookKeys keys = WebhookKeys::withPrefix("resound:webhooks:test:" + std::to_string(::getpid()) + ":");

    explicit Cluster(int graceMs) {
        apps.push_back(app("app1", {target("http://a/", {"channel_occupied", "channel_vacated"})}, graceMs));
        DispatcherOptions options;
        options.posterFactory = [this](const config::WebhookTarget&) {
            return std::make_unique<FakePoster>(log);
        };
        options.applyGracePeriod = false;  // as resound-monitor: the grace period is kept in Redis
        dispatcher = std::make_unique<WebhookDispatcher>(apps, options);
        dispatcher->start();
        WorkerOptions workerOptions;
        workerOptions.keys = keys;
        worker = std::make_unique<WebhookWorker>(redis, *dispatcher, workerOptions);
    }
    ~Cluster() {
        worker->stop();
        dispatcher->stop();
    }
    std::unique_ptr<RedisWebhookSink> edge() {
        RedisSinkOptions options;
        options.keys = keys;
        auto sink = std::make_unique<RedisWebhookSink>(apps, redis, options);
        sink->start();
        return sink;
    }
};

TEST(RedisWebhookPipeline, GracePeriodIsClusterWide) {
    SKIP_WITHOUT_REDIS();
    Cluster cluster(200);
    RedisServer redis(RedisServerOptions{cluster.port, {}, true});
    cluster.worker->start();
    auto edgeA = cluster.edge();
    auto edgeB = cluster.edge();

    edgeA->emit(cluster.apps[0], event(Kind::ChannelOccupied, "c"));
    ASSERT_TRUE(cluster.log->waitFor(1));
    // The last subscriber leaves on edge A and a client reconnects to edge B within the grace.
    edgeA->emit(cluster.apps[0], event(Kind::ChannelVacated, "c"));
    std::this_thread::sleep_for(milliseconds(50));
    edgeB->emit(cluster.apps[0], event(Kind::ChannelOccupied, "c"));
    std::this_thread::sleep_for(milliseconds(400));
    EXPECT_EQ(cluster.log->count(), 1u);
    // A real leave on edge B: one channel_vacated after the grace.
    edgeB->emit(cluster.apps[0], event(Kind::ChannelVacated, "c"));
    ASSERT_TRUE(cluster.log->waitFor(2));
    EXPECT_NE(cluster.log->snapshot()[1].body.find("channel_vacated"), std::string::npos);
    EXPECT_EQ(edgeA->pushed() + edgeB->pushed(), 4u);
    EXPECT_EQ(edgeB->cancelled(), 1u);          // the join on B cancelled the leave held from A, in Redis
    EXPECT_EQ(cluster.worker->received(), 2u);  // so the sender never saw the pair
    EXPECT_EQ(cluster.worker->rejected(), 0u);
}

TEST(RedisWebhookPipeline, WorkerAndSinkReconnectWhenRedisComesUpLate) {
    SKIP_WITHOUT_REDIS();
    Cluster cluster(0);
    cluster.worker->start();
    auto edge = cluster.edge();
    edge->emit(cluster.apps[0], event(Kind::ChannelOccupied, "late"));  // waits in the sink's queue
    std::this_thread::sleep_for(milliseconds(300));
    RedisServer redis(RedisServerOptions{cluster.port, {}, true});
    ASSERT_TRUE(cluster.log->waitFor(1, milliseconds(8000)));
    EXPECT_NE(cluster.log->snapshot()[0].body.find("late"), std::string::npos);
}

TEST(RedisWebhookPipeline, SinkIgnoresAppsAndKindsWithoutTargets) {
    std::vector<config::AppConfig> apps{app("hooked", {target("http://a/", {"cache_miss"})}),
                                        app("plain", {})};
    RedisSinkOptions options;
    options.localQueueLimit = 1;
    RedisWebhookSink sink(apps, config::RedisConfig{}, options);  // not started: nothing drains it
    sink.emit(apps[1], event(Kind::CacheMiss, "cache-a"));
    sink.emit(apps[0], event(Kind::ChannelOccupied, "c"));
    EXPECT_EQ(sink.dropped(), 0u);
    sink.emit(apps[0], event(Kind::CacheMiss, "cache-a"));
    sink.emit(apps[0], event(Kind::CacheMiss, "cache-b"));  // over the local limit
    EXPECT_EQ(sink.dropped(), 1u);
    std::string text;
    sink.appendPrometheus(text);
    EXPECT_NE(text.find("resound_webhook_events_forward_dropped_total{reason=\"local_queue_full\"} 1"),
              std::string::npos);
}

}  // namespace
}  // namespace resound::webhooks::test
