// RedisNodeReader and ClusterPoller against a real redis-server: fake node heartbeats and stats
// hashes in, aggregation out; AUTH + SELECT; Redis going away and coming back.
#include <gtest/gtest.h>

#include <thread>

#include "RedisServer.h"
#include "monitor/ClusterPoller.h"
#include "monitor/MonitorEndpoints.h"
#include "monitor/RedisNodeReader.h"
#include "redis/KeySchema.h"

namespace resound::monitor {
namespace {

using namespace std::chrono_literals;
using redis::testing::RedisServer;

void writeNode(Poco::Redis::Client& client, const std::string& id, std::int64_t heartbeatMs,
               std::initializer_list<std::pair<std::string, std::string>> stats) {
    RedisServer::command(client, {"ZADD", redis::keys::nodes(), std::to_string(heartbeatMs), id});
    for (const auto& [field, value] : stats) {
        RedisServer::command(client, {"HSET", redis::keys::nodeStats(id), field, value});
    }
    if (stats.size() > 0) RedisServer::command(client, {"EXPIRE", redis::keys::nodeStats(id), "30"});
}

RedisNodeReader::Options fastOptions() {
    return {.connectTimeout = 500ms, .ioTimeout = 1000ms, .forgetAfter = std::chrono::seconds(600)};
}

TEST(RedisNodeReader, ReadsHeartbeatsAndStatsAndAggregates) {
    SKIP_WITHOUT_REDIS();
    RedisServer redis;
    auto client = redis.client();
    const std::int64_t now = RedisServer::timeMs(*client);
    writeNode(*client, "edge-1", now - 500,
              {{"service", "resound-edge"},
               {"version", "0.1.0"},
               {"host", "c1"},
               {"connections", "120"},
               {"channels", "12"},
               {"messages_in", "5"},
               {"messages_out", "900"},
               {"bytes_in", "400"},
               {"bytes_out", "90000"},
               {"http_requests", "3"},
               {"started_at", "1700000000"}});
    writeNode(
        *client, "edge-2", now - 1000,
        {{"service", "resound-edge"}, {"connections", "80"}, {"channels", "10"}, {"messages_out", "100"}});
    writeNode(*client, "api-1", now, {{"service", "resound-api"}, {"http_requests", "42"}});
    writeNode(*client, "edge-dead", now - 45000, {});           // stale heartbeat, stats hash expired
    writeNode(*client, "edge-ancient", now - 3600 * 1000, {});  // beyond forgetAfter: not listed

    RedisNodeReader reader(redis.config(), fastOptions());
    const ClusterSnapshot snapshot = reader.read();
    ASSERT_TRUE(snapshot.redisUp) << snapshot.redisError;
    EXPECT_GE(snapshot.redisTimeMs, now);
    ASSERT_EQ(snapshot.nodes.size(), 4u);
    EXPECT_EQ(snapshot.nodes[0].node, "api-1");  // sorted by id
    EXPECT_EQ(snapshot.nodes[1].node, "edge-1");
    EXPECT_EQ(snapshot.nodes[1].counters.bytesOut, 90000u);
    EXPECT_EQ(snapshot.nodes[1].host, "c1");
    EXPECT_FALSE(snapshot.nodes[3].hasStats);  // edge-dead

    const ClusterSummary summary = summarize(snapshot, {.staleAfterMs = 10000});
    EXPECT_EQ(summary.nodesUp, 3u);
    EXPECT_EQ(summary.nodesDown, 1u);
    EXPECT_EQ(summary.totals.connections, 200u);
    EXPECT_EQ(summary.totals.channels, 22u);
    EXPECT_EQ(summary.totals.messagesOut, 1000u);
    EXPECT_EQ(summary.totals.httpRequests, 45u);
    EXPECT_EQ(summary.status, "degraded");

    const std::string metrics = renderPrometheus(snapshot, {.staleAfterMs = 10000}, {});
    EXPECT_NE(metrics.find("resound_node_up{node=\"edge-dead\",service=\"unknown\"} 0\n"), std::string::npos);
    EXPECT_NE(metrics.find("resound_cluster_connections 200\n"), std::string::npos);
    EXPECT_EQ(metrics.find("edge-ancient"), std::string::npos);
}

TEST(RedisNodeReader, ReapedNodesStayDownCleanExitsAreForgotten) {
    SKIP_WITHOUT_REDIS();
    RedisServer redis;
    auto client = redis.client();
    const std::int64_t now = RedisServer::timeMs(*client);
    writeNode(*client, "edge-crashed-g1", now - 9000, {{"service", "resound-edge"}, {"connections", "50"}});
    writeNode(*client, "edge-stopped-g1", now - 1000, {{"service", "resound-edge"}, {"connections", "5"}});
    writeNode(*client, "edge-live-g1", now, {{"service", "resound-edge"}, {"connections", "1"}});

    RedisNodeReader reader(redis.config(), fastOptions());  // died if silent for 5 s
    ClusterSnapshot snapshot = reader.read();
    ASSERT_EQ(snapshot.nodes.size(), 3u);

    // The reaper removes the silent node; the stopped one reaped itself while its heartbeat was fresh.
    RedisServer::command(*client, {"ZREM", redis::keys::nodes(), "edge-crashed-g1", "edge-stopped-g1"});
    RedisServer::command(*client, {"DEL", redis::keys::nodeStats("edge-crashed-g1"),
                                   redis::keys::nodeStats("edge-stopped-g1")});
    snapshot = reader.read();
    ASSERT_EQ(snapshot.nodes.size(), 2u);
    EXPECT_EQ(snapshot.nodes[0].node, "edge-crashed-g1");
    EXPECT_TRUE(snapshot.nodes[0].reaped);
    EXPECT_EQ(snapshot.nodes[0].service, "resound-edge");
    EXPECT_FALSE(isUp(snapshot.nodes[0], snapshot, {.staleAfterMs = 10000}));
    EXPECT_EQ(snapshot.nodes[1].node, "edge-live-g1");
    const ClusterSummary summary = summarize(snapshot, {.staleAfterMs = 10000});
    EXPECT_EQ(summary.nodesDown, 1u);
    EXPECT_EQ(summary.totals.connections, 1u);  // the dead node's last numbers are not counted
    const std::string metrics = renderPrometheus(snapshot, {.staleAfterMs = 10000}, {});
    EXPECT_NE(metrics.find("resound_node_up{node=\"edge-crashed-g1\",service=\"resound-edge\"} 0\n"),
              std::string::npos);
    EXPECT_NE(renderHealthJson(snapshot, {}, {}).find("\"reaped\":true"), std::string::npos);
    EXPECT_EQ(reader.read().nodes.size(), 2u);  // still remembered on the next read

    // forgetAfter ends it.
    RedisNodeReader forgetful(redis.config(), {.connectTimeout = 500ms,
                                               .ioTimeout = 1000ms,
                                               .forgetAfter = std::chrono::seconds(8),
                                               .diedIfSilentFor = 5000ms});
    writeNode(*client, "edge-old-g1", now - 7000, {{"service", "resound-edge"}});
    EXPECT_EQ(forgetful.read().nodes.size(), 2u);
    RedisServer::command(*client, {"ZREM", redis::keys::nodes(), "edge-old-g1"});
    EXPECT_EQ(forgetful.read().nodes.size(), 2u);  // remembered: 7 s < 8 s
    std::this_thread::sleep_for(1200ms);
    EXPECT_EQ(forgetful.read().nodes.size(), 1u);  // forgotten once older than 8 s
}

TEST(RedisNodeReader, EmptyRegistryIsNotAnError) {
    SKIP_WITHOUT_REDIS();
    RedisServer redis;
    RedisNodeReader reader(redis.config(), fastOptions());
    const ClusterSnapshot snapshot = reader.read();
    EXPECT_TRUE(snapshot.redisUp) << snapshot.redisError;
    EXPECT_TRUE(snapshot.nodes.empty());
    EXPECT_EQ(summarize(snapshot, {}).status, "empty");
}

TEST(RedisNodeReader, AuthenticatesAndSelectsTheDatabase) {
    SKIP_WITHOUT_REDIS();
    RedisServer redis({"--requirepass", "s3cret-pass"});
    auto client = redis.client(3, "s3cret-pass");
    writeNode(*client, "edge-1", RedisServer::timeMs(*client),
              {{"service", "resound-edge"}, {"connections", "7"}});

    RedisNodeReader reader(redis.config("s3cret-pass", 3), fastOptions());
    ClusterSnapshot snapshot = reader.read();
    ASSERT_TRUE(snapshot.redisUp) << snapshot.redisError;
    ASSERT_EQ(snapshot.nodes.size(), 1u);
    EXPECT_EQ(snapshot.nodes[0].counters.connections, 7u);

    RedisNodeReader wrongDb(redis.config("s3cret-pass", 0), fastOptions());
    EXPECT_TRUE(wrongDb.read().nodes.empty());

    RedisNodeReader wrongPassword(redis.config("nope", 3), fastOptions());
    snapshot = wrongPassword.read();
    EXPECT_FALSE(snapshot.redisUp);
    EXPECT_EQ(snapshot.redisError.find("nope"), std::string::npos) << "the password must not be echoed";
}

TEST(RedisNodeReader, ReconnectsAfterRedisRestarts) {
    SKIP_WITHOUT_REDIS();
    RedisServer redis;
    RedisNodeReader reader(redis.config(), fastOptions());
    ASSERT_TRUE(reader.read().redisUp);

    redis.stop();
    const ClusterSnapshot down = reader.read();
    EXPECT_FALSE(down.redisUp);
    EXPECT_FALSE(down.redisError.empty());
    EXPECT_FALSE(reader.read().redisUp);  // still down: a clean failure each time

    ASSERT_TRUE(redis.start());  // same port
    const ClusterSnapshot up = reader.read();
    EXPECT_TRUE(up.redisUp) << up.redisError;
    EXPECT_EQ(reader.reconnects(), 1u);
}

template <class Predicate>
bool eventually(Predicate predicate, std::chrono::milliseconds limit = 5000ms) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
        if (predicate()) return true;
        std::this_thread::sleep_for(20ms);
    }
    return predicate();
}

TEST(ClusterPoller, FollowsRedisDownAndUpAndReadinessWithIt) {
    SKIP_WITHOUT_REDIS();
    RedisServer redis;
    {
        auto client = redis.client();
        writeNode(*client, "edge-1", RedisServer::timeMs(*client),
                  {{"service", "resound-edge"}, {"connections", "5"}});
    }
    RedisNodeReader reader(redis.config(), fastOptions());
    ClusterPoller poller([&reader] { return reader.read(); }, [&reader] { return reader.reconnects(); },
                         {.interval = 50ms, .backoffMin = 20ms, .backoffMax = 200ms});
    MonitorEndpoints endpoints([&poller] { return poller.latest(); }, {.staleAfterMs = 10000});
    service::HttpExchange ready;
    ready.method = "GET";
    ready.path = "/ready";
    service::HttpExchange health = ready;
    health.path = "/health";

    poller.start();
    ASSERT_TRUE(eventually([&] { return poller.latest().snapshot.redisUp; }));
    EXPECT_EQ(poller.latest().snapshot.nodes.size(), 1u);
    EXPECT_EQ(endpoints.handle(ready).status, 200);

    redis.stop();
    ASSERT_TRUE(eventually([&] { return !poller.latest().snapshot.redisUp; }));
    EXPECT_EQ(endpoints.handle(ready).status, 503);
    const service::HttpReply liveness = endpoints.handle(health);
    EXPECT_EQ(liveness.status, 200);
    EXPECT_NE(liveness.body.find("\"redis\":\"down\""), std::string::npos) << liveness.body;

    ASSERT_TRUE(redis.start());
    ASSERT_TRUE(eventually([&] { return poller.latest().snapshot.redisUp; }));
    EXPECT_EQ(endpoints.handle(ready).status, 200);
    EXPECT_GE(poller.latest().failures, 1u);
    EXPECT_EQ(poller.latest().reconnects, 1u);
    poller.stop();
}

}  // namespace
}  // namespace resound::monitor
