#pragma once
// Test helper: a private redis-server on a free loopback port (no persistence), started and stopped
// by PID, and helpers to wait for conditions with a bound. Tests skip when redis-server is absent.
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "redis/ConnectionOptions.h"

namespace resound::redis::testing {

inline constexpr const char* kRedisServer = "/usr/bin/redis-server";

bool redisServerInstalled();

class RedisServer {
  public:
    explicit RedisServer(std::vector<std::string> extraArgs = {});
    ~RedisServer();
    RedisServer(const RedisServer&) = delete;
    RedisServer& operator=(const RedisServer&) = delete;

    bool running() const { return pid_ > 0; }
    std::uint16_t port() const { return port_; }
    // Short timeouts so outage tests stay fast.
    ConnectionOptions options() const;

    bool start();   // (again) on the same port; true once it answers PING
    void stop();    // SIGTERM (SIGCONT first if paused), bounded wait, then SIGKILL
    void pause();   // SIGSTOP: the process keeps its sockets but answers nothing
    void resume();  // SIGCONT

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
