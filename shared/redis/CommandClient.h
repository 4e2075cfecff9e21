#pragma once
// The command side of Redis for a whole process: a small pool of RedisConnections shared by every
// thread (a caller borrows one connection per call; the pool mutex is held only to pop/push), with
// reconnect-and-backoff, pipelining and Lua scripts (SCRIPT LOAD once per connection, EVALSHA,
// EVAL on NOSCRIPT). Thread-safe.
//
// Time bounds: a call takes at most ioTimeout on an established connection, connectTimeout + ioTimeout
// when it has to connect. During an outage calls fail at once, except one probe per backoff step
// (backoffInitial doubling to backoffMax). The outage is logged once when it starts and once when it ends.
// Event-loop threads (markEventLoopThread) are held to loopIoTimeout instead and never probe.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "redis/ConnectionOptions.h"
#include "redis/LuaScript.h"
#include "redis/RedisConnection.h"
#include "redis/RespValue.h"

namespace resound::redis {

// Commands sent together and answered together (one round trip). Build, then CommandClient::execute.
class Pipeline {
  public:
    void command(std::initializer_list<std::string_view> args);
    void command(std::span<const std::string_view> args);
    void eval(const LuaScript& script, std::span<const std::string_view> keys,
              std::span<const std::string_view> args);
    void eval(const ScriptCall& call);
    std::size_t size() const { return count_; }
    bool empty() const { return count_ == 0; }

  private:
    friend class CommandClient;
    void countEval(const LuaScript& script);

    std::string encoded_;
    std::size_t count_ = 0;
    std::vector<const LuaScript*> scripts_;
};

class CommandClient {
  public:
    explicit CommandClient(ConnectionOptions options, std::string name = "redis");
    CommandClient(const CommandClient&) = delete;
    CommandClient& operator=(const CommandClient&) = delete;

    // nullopt when Redis could not be reached or did not answer in time. A Redis error reply is a
    // RespValue of type Error.
    std::optional<RespValue> command(std::initializer_list<std::string_view> args);
    std::optional<RespValue> command(std::span<const std::string_view> args);
    std::optional<RespValue> eval(const LuaScript& script, std::span<const std::string_view> keys,
                                  std::span<const std::string_view> args);
    std::optional<RespValue> eval(const ScriptCall& call);
    // One reply per pipelined command, in order; false (replies unusable) if the connection failed.
    bool execute(const Pipeline& pipeline, std::vector<RespValue>& replies);

    // Marks the calling thread as an event loop for every CommandClient: its calls connect,
    // authenticate and wait for replies within options().loopIoTimeout, and during an outage they fail
    // at once without ever being the probe (a Redis that accepts TCP but hangs would stall the loop for
    // each probe); other threads' calls (the node lease heartbeats every retry interval while failing)
    // find out when Redis is back. For threads whose other clients must not wait on Redis.
    static void markEventLoopThread();
    static bool onEventLoopThread();
    // How long a call from the calling thread may wait for its replies.
    std::chrono::milliseconds callTimeout() const;

    // False from the first failure of an outage until a connection succeeds again.
    bool available() const { return available_.load(std::memory_order_relaxed); }
    std::uint64_t reconnects() const { return reconnects_.load(std::memory_order_relaxed); }
    std::uint64_t failures() const { return failures_.load(std::memory_order_relaxed); }
    const ConnectionOptions& options() const { return options_; }
    const std::string& name() const { return name_; }

  private:
    using Clock = std::chrono::steady_clock;

    // A connection lent to one call. During an outage only one call at a time gets one (the probe),
    // and the outage ends when a probe's command is answered, not when its TCP connect succeeds (a
    // paused Redis still completes handshakes).
    struct Borrowed {
        std::unique_ptr<RedisConnection> connection;
        bool probe = false;
        explicit operator bool() const { return connection != nullptr; }
        RedisConnection* operator->() const { return connection.get(); }
    };

    Borrowed acquire();
    void release(Borrowed borrowed, bool healthy, const std::string& error);
    void markDownLocked(const std::string& error, bool connectFailed);
    // Both eval()s: Strings is a span of std::string_view or of std::string, encoded as it is.
    template <typename Strings>
    std::optional<RespValue> evalOf(const LuaScript& script, Strings keys, Strings args);
    // Sends `request` plus SCRIPT LOADs the connection lacks; replies exclude the loads' answers.
    bool send(RedisConnection& connection, std::span<const LuaScript* const> scripts,
              std::string_view request, std::size_t replyCount, std::vector<RespValue>& replies,
              std::string& error);

    const ConnectionOptions options_;
    const ConnectionOptions loopOptions_;  // options_ with every timeout at loopIoTimeout
    const std::string name_;

    std::mutex mutex_;
    std::vector<std::unique_ptr<RedisConnection>> idle_;
    bool down_ = false;
    bool probing_ = false;
    Clock::time_point downSince_{};
    Clock::time_point nextAttempt_{};
    ReconnectBackoff backoff_{options_.backoff()};

    std::atomic<bool> available_{true};
    std::atomic<std::uint64_t> reconnects_{0};
    std::atomic<std::uint64_t> failures_{0};
};

}  // namespace resound::redis
