#pragma once
// Test helper shared by every unit test that needs Redis (redis, monitor, webhooks): a private
// redis-server on a loopback port (no persistence), started and stopped by PID, killed with the test
// process, plus bounded waits and small client helpers. Tests skip when redis-server is absent.
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <Poco/Redis/Client.h>

#include <initializer_list>
#include <memory>

#include "config/Config.h"
#include "redis/ConnectionOptions.h"

namespace resound::redis::testing {

inline constexpr const char* kRedisServer = "/usr/bin/redis-server";

bool redisServerInstalled();

// A loopback port that was free a moment ago.
std::uint16_t freeLoopbackPort();

// The services' configuration of a Redis on 127.0.0.1:`port` (AUTH with `password` when it is set,
// SELECT `db`), as the blocking clients (webhooks, monitor) take it.
config::RedisConfig loopbackRedisConfig(std::uint16_t port, std::string password = "", int db = 0);

struct RedisServerOptions {
    std::uint16_t port = 0;              // 0: a free port (retried if taken before redis-server binds)
    std::vector<std::string> extraArgs;  // e.g. {"--requirepass", "secret"}
    bool startNow = true;                // false: start() later, e.g. to test a client that came first
};

class RedisServer {
  public:
    explicit RedisServer(RedisServerOptions options);
    explicit RedisServer(std::vector<std::string> extraArgs = {})
        : RedisServer(RedisServerOptions{0, std::move(extraArgs), true}) {}
    ~RedisServer();
    RedisServer(const RedisServer&) = delete;
    RedisServer& operator=(const RedisServer&) = delete;

    bool running() const { return pid_ > 0; }
    std::uint16_t port() const { return port_; }
    // Short timeouts so outage tests stay fast.
    ConnectionOptions options() const;
    // This server as the services' configuration names it (loopbackRedisConfig).
    config::RedisConfig config(std::string password = "", int db = 0) const {
        return loopbackRedisConfig(port_, std::move(password), db);
    }

    bool start();   // (again) on the same port; true once it answers PING
    void stop();    // SIGTERM (SIGCONT first if paused), bounded wait, then SIGKILL
    void pause();   // SIGSTOP: the process keeps its sockets but answers nothing
    void resume();  // SIGCONT

    // A connected Poco client (authenticated when a password is given, `db` selected) for test data.
    std::unique_ptr<Poco::Redis::Client> client(int db = 0, const std::string& password = "") const;
    static Poco::Redis::RedisType::Ptr command(Poco::Redis::Client& client,
                                               std::initializer_list<std::string> words);
    // Redis server time (TIME) in milliseconds.
    static std::int64_t timeMs(Poco::Redis::Client& client);

  private:
    std::vector<std::string> extraArgs_;
    std::uint16_t port_ = 0;
    pid_t pid_ = -1;
};

// Polls `condition` every 10 ms until it holds or `timeout` passes; returns its last value.
bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout);

// Milliseconds `action` took.
long long millisecondsOf(const std::function<void()>& action);

}  // namespace resound::redis::testing

#define SKIP_WITHOUT_REDIS()                                          \
    do {                                                              \
        if (!::resound::redis::testing::redisServerInstalled())       \
            GTEST_SKIP() << ::resound::redis::testing::kRedisServer   \
                         << " is not installed: Redis tests skipped"; \
    } while (0)
