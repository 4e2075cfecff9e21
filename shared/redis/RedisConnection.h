#pragma once
// One TCP connection to Redis with hard time bounds: a non-blocking socket driven by poll() against a
// deadline, our own RESP parser, AUTH + SELECT on open. Used by one thread at a time (CommandClient
// lends it out; the subscriber thread owns its own). Any failure leaves it unusable: drop it.
#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "redis/ConnectionOptions.h"
#include "redis/RespParser.h"

namespace resound::redis {

class RedisConnection {
  public:
    using Clock = std::chrono::steady_clock;

    // Connects (within connectTimeout) and authenticates/selects (within ioTimeout). nullptr and a
    // reason in `error` on failure.
    static std::unique_ptr<RedisConnection> open(const ConnectionOptions& options, std::string& error);
    ~RedisConnection();
    RedisConnection(const RedisConnection&) = delete;
    RedisConnection& operator=(const RedisConnection&) = delete;

    // Writes `request` (one or more encoded commands) and reads exactly `replyCount` replies into
    // `replies` (cleared first), all within ioTimeout. Redis error replies are replies, not failures.
    bool roundTrip(std::string_view request, std::size_t replyCount, std::vector<RespValue>& replies,
                   std::string& error);
    // The same within `timeout` instead of the connection's ioTimeout.
    bool roundTrip(std::string_view request, std::size_t replyCount, std::vector<RespValue>& replies,
                   std::string& error, std::chrono::milliseconds timeout);

    // False when the peer closed or sent something unsolicited while the connection sat idle (e.g.
    // Redis restarted): checked before reuse so a stale socket is never handed a command.
    bool looksIdleAndAlive() const;

    int fd() const { return fd_; }
    RespParser& parser() { return parser_; }
    std::string& requestBuffer() { return request_; }  // reused encoding buffer

    // Scripts known to be loaded on this connection (SCRIPT LOAD is per server, but a restart loses
    // them and a restart always means a new connection).
    bool hasScript(std::string_view sha1) const;
    void addScript(const std::string& sha1);
    void forgetScripts() { scripts_.clear(); }

    // Non-blocking helpers for the subscriber thread: -1 on error/EOF, else bytes moved (0 = would block).
    long sendSome(const char* data, std::size_t size);
    long receiveSome(char* data, std::size_t size);

  private:
    RedisConnection(int fd, const ConnectionOptions& options);
    bool writeAll(std::string_view data, Clock::time_point deadline, std::string& error);

    int fd_;
    std::chrono::milliseconds ioTimeout_;
    RespParser parser_;
    std::string request_;
    std::vector<std::string> scripts_;
};

}  // namespace resound::redis
