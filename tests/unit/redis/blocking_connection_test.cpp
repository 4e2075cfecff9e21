// connectBlocking and BlockingConnection against a real redis-server: AUTH + SELECT, a wrong password,
// a Unix socket, and the reconnect block's outage (logged once, backed off, logged back).
// Skipped when redis-server is not installed.
#include <Poco/Exception.h>
#include <Poco/Redis/Array.h>
#include <Poco/Redis/Client.h>
#include <gtest/gtest.h>
#include <spdlog/sinks/ringbuffer_sink.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "RedisServer.h"
#include "redis/BlockingConnection.h"

namespace resound::redis {
namespace {

using namespace std::chrono_literals;
using testing::RedisServer;

std::string get(Poco::Redis::Client& client, const std::string& key) {
    Poco::Redis::Array command;
    command << "GET" << key;
    const Poco::Redis::BulkString value = client.execute<Poco::Redis::BulkString>(command);
    return value.isNull() ? "(nil)" : value.value();
}

// The default logger's lines while it lives (spdlog's default logger is process-wide: restored after).
class LogCapture {
  public:
    LogCapture()
        : sink_(std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(64)),
          previous_(spdlog::default_logger()) {
        sink_->set_pattern("%l %v");
        spdlog::set_default_logger(std::make_shared<spdlog::logger>("capture", sink_));
    }
    ~LogCapture() { spdlog::set_default_logger(previous_); }

    std::vector<std::string> lines() const { return sink_->last_formatted(); }
    std::size_t count(const std::string& part) const {
        const auto all = lines();
        return static_cast<std::size_t>(std::count_if(all.begin(), all.end(), [&](const std::string& line) {
            return line.find(part) != std::string::npos;
        }));
    }

  private:
    std::shared_ptr<spdlog::sinks::ringbuffer_sink_mt> sink_;
    std::shared_ptr<spdlog::logger> previous_;
};

TEST(ConnectBlocking, AuthenticatesAndSelectsTheConfiguredDatabase) {
    SKIP_WITHOUT_REDIS();
    RedisServer server({"--requirepass", "s3cret-pass"});
    Poco::Redis::Client client;
    connectBlocking(client, server.config("s3cret-pass", 3), 500ms);
    RedisServer::command(client, {"SET", "where", "db3"});

    EXPECT_EQ(get(*server.client(3, "s3cret-pass"), "where"), "db3");
    EXPECT_EQ(get(*server.client(0, "s3cret-pass"), "where"), "(nil)");
}

TEST(ConnectBlocking, AWrongPasswordThrows) {
    SKIP_WITHOUT_REDIS();
    RedisServer server({"--requirepass", "s3cret-pass"});
    Poco::Redis::Client client;
    EXPECT_THROW(connectBlocking(client, server.config("not-it"), 500ms), Poco::Exception);
}

TEST(ConnectBlocking, NobodyListeningThrows) {
    SKIP_WITHOUT_REDIS();
    RedisServer server(testing::RedisServerOptions{.port = 0, .extraArgs = {}, .startNow = false});
    Poco::Redis::Client client;
    EXPECT_THROW(connectBlocking(client, server.config(), 500ms), Poco::Exception);
}

TEST(ConnectBlocking, ReachesAUnixSocketPath) {
    SKIP_WITHOUT_REDIS();
    const std::string path = "/tmp/resound-blocking-" + std::to_string(::getpid()) + ".sock";
    RedisServer server({"--unixsocket", path, "--unixsocketperm", "700"});
    ASSERT_TRUE(server.running());
    RedisServer::command(*server.client(2), {"SET", "where", "socket"});

    config::RedisConfig config = server.config("", 2);
    config.host = path;
    config.port = 1;  // nobody listens there: only the socket can answer
    Poco::Redis::Client client;
    connectBlocking(client, config, 500ms);
    EXPECT_EQ(get(client, "where"), "socket");
}

TEST(BlockingConnection, ConnectsOnceAndRunsOnConnectFirst) {
    SKIP_WITHOUT_REDIS();
    RedisServer server;
    const config::RedisConfig config = server.config("", 1);
    BlockingConnection connection(config, 500ms, "test link");
    EXPECT_FALSE(connection.connected());

    int onConnectRuns = 0;
    const auto onConnect = [&](Poco::Redis::Client& client) {
        ++onConnectRuns;
        RedisServer::command(
            client, {"SET", "seen", "yes"});  // the connection is usable (and in its db) when onConnect runs
    };
    EXPECT_TRUE(connection.ensureConnected(onConnect));
    EXPECT_TRUE(connection.connected());
    EXPECT_FALSE(connection.ensureConnected(onConnect));  // already connected: nothing again
    EXPECT_EQ(onConnectRuns, 1);
    EXPECT_EQ(get(*server.client(1), "seen"), "yes");
}

TEST(BlockingConnection, LogsAnOutageOnceBacksOffAndLogsTheReturn) {
    SKIP_WITHOUT_REDIS();
    RedisServer server;
    const config::RedisConfig config = server.config();
    LogCapture log;
    BlockingConnection connection(config, 500ms, "test link");
    ASSERT_TRUE(connection.ensureConnected());

    server.stop();
    std::vector<std::chrono::milliseconds> waits;
    for (int attempt = 0; attempt < 3; ++attempt) {
        try {
            connection.ensureConnected();
            get(connection.client(), "any");
            FAIL() << "Redis is stopped";
        } catch (const Poco::Exception& e) {
            waits.push_back(connection.failed(e));
        }
        EXPECT_FALSE(connection.connected());
    }
    // ReconnectBackoff: 100 ms doubling, each wait scaled by [0.5, 1].
    EXPECT_GE(waits[0], 50ms);
    EXPECT_LE(waits[0], 100ms);
    EXPECT_GE(waits[2], 200ms);
    EXPECT_LE(waits[2], 400ms);
    EXPECT_EQ(log.count("warning test link: Redis " + config.describe() + " unavailable, retrying: "), 1u);
    EXPECT_EQ(log.count("reconnected"), 0u);

    ASSERT_TRUE(server.start());
    EXPECT_TRUE(connection.ensureConnected());
    EXPECT_EQ(log.count("info test link: reconnected to Redis " + config.describe()), 1u);

    // The return reset the back-off: the next outage starts at the first step again, logged anew.
    server.stop();
    try {
        get(connection.client(), "any");
        FAIL() << "Redis is stopped";
    } catch (const Poco::Exception& e) {
        EXPECT_LE(connection.failed(e), 100ms);
    }
    EXPECT_EQ(log.count("unavailable, retrying"), 2u);
}

}  // namespace
}  // namespace resound::redis
