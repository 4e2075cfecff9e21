#pragma once
// A Redis connection owned by one event loop, for callers that must never wait on Redis. Commands are
// queued while the loop works and written together by flush() at the end of the iteration (one round
// trip for everything the iteration asked); replies are read when the socket is readable and handed,
// in order, to each command's callback on the loop thread. Nothing here blocks: the connect is
// non-blocking, a command not answered within ioTimeout fails (with every other outstanding one) and
// the link reconnects after a backoff, first proving Redis answers (PING) before it takes commands
// again, so a hung Redis costs queued callers one ioTimeout and later ones nothing. Callbacks never
// run inside command()/eval(): a command refused at once is answered during the next flush().
// Loop thread only.
#include <sys/socket.h>

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "loop/EventLoop.h"
#include "redis/ConnectionOptions.h"
#include "redis/LuaScript.h"
#include "redis/ReconnectBackoff.h"
#include "redis/RespParser.h"
#include "redis/RespValue.h"

namespace resound::redis {

class LoopLink final : public loop::IoHandler {
  public:
    using Clock = std::chrono::steady_clock;
    // The reply (a Redis error reply is a reply), or nullopt when Redis did not answer in time or the
    // link is down. Callbacks still outstanding when the link is destroyed are never called.
    using Callback = std::function<void(std::optional<RespValue>)>;

    // What a command meets after a hang while the probe PING is unanswered. Refuse: answered nullopt
    // at once (the edge's state changes: their callers have a local answer, and a mutation must not
    // reach a Redis that may run it late). QueueBehindProbe: sent behind the probe, so it succeeds with
    // it or fails with it within the I/O timeout (the api's publishes: a 503 is the only local answer,
    // and the first publish after an outage should not get one when Redis is back).
    enum class AfterHang : std::uint8_t { Refuse, QueueBehindProbe };

    LoopLink(loop::EventLoop& loop, ConnectionOptions options, std::string name = "redis loop link",
             AfterHang afterHang = AfterHang::Refuse);
    ~LoopLink() override;
    LoopLink(const LoopLink&) = delete;
    LoopLink& operator=(const LoopLink&) = delete;

    void command(std::initializer_list<std::string_view> args, Callback done);
    void command(std::span<const std::string_view> args, Callback done);
    // EVALSHA; the script is loaded (SCRIPT LOAD, same round trip) the first time this connection
    // uses it. A NOSCRIPT reply (someone flushed the scripts) is handed to the caller as an error and
    // the next use loads it again.
    void eval(const LuaScript& script, std::span<const std::string_view> keys,
              std::span<const std::string_view> args, Callback done);
    void eval(const ScriptCall& call, Callback done);

    // End of a loop iteration: answers refused commands, connects if needed, writes what was queued,
    // and fails the link if its oldest command has waited longer than ioTimeout.
    void flush();

    // Connected and Redis answered since (commands are sent, not refused).
    bool up() const { return state_ == State::Ready && healthy_; }
    std::size_t outstanding() const { return pending_.size(); }
    std::uint64_t failures() const { return failures_; }
    std::uint64_t roundTrips() const { return writes_; }  // flushes that wrote at least one command

    void onIoEvent(std::uint32_t events) override;

  private:
    // Wakes the loop at the next deadline (connect or oldest reply), so an idle loop notices a hung
    // Redis on time rather than at its next tick.
    class Timer;
    void armTimer();
    enum class State : std::uint8_t { Idle, Connecting, Ready };

    struct Pending {
        Callback done;           // empty for the link's own commands (AUTH, SELECT, SCRIPT LOAD, PING)
        bool handshake = false;  // AUTH/SELECT/PING: an error reply fails the link
        Clock::time_point sentAt{};
    };

    void enqueue(std::span<const std::string_view> args, Callback done);
    // Connects if due and queues SCRIPT LOAD when this connection lacks the script; false when the
    // call must be refused (link down, or unproven after a hang).
    bool readyToEval(const LuaScript& script);
    void refuse(Callback done);
    bool refusedAfterHang() const;
    void startConnect();
    void onConnected();
    bool writeOutput();
    bool readInput();
    void fail(const std::string& reason);
    void onHealthy();
    void updateEvents();

    loop::EventLoop& loop_;
    const ConnectionOptions options_;
    const std::string name_;
    const AfterHang afterHang_;

    State state_ = State::Idle;
    bool healthy_ = false;  // a reply arrived on this connection (the probe PING at least)
    bool suspect_ = false;  // the last failure was a timeout: refuse callers until a probe is answered
    bool everUp_ = false;
    bool loggedDown_ = false;
    int fd_ = -1;
    std::uint32_t events_ = 0;
    Clock::time_point connectStarted_{};
    Clock::time_point nextAttempt_{};
    Clock::time_point downSince_{};
    ReconnectBackoff backoff_{options_.backoff()};
    SocketAddress address_;  // resolved at the first connect

    std::string output_;              // encoded commands not yet written
    std::size_t unsentCommands_ = 0;  // commands in output_ whose Pending has no sentAt yet
    std::deque<Pending> pending_;     // every command written or queued, in order
    std::vector<Callback> refused_;   // answered nullopt at the next flush()
    RespParser parser_;
    std::vector<RespValue> replies_;
    std::vector<char> input_;
    std::vector<std::string> scripts_;  // sha1s loaded on this connection
    std::uint64_t failures_ = 0;
    std::uint64_t writes_ = 0;
    int timerFd_ = -1;
    Clock::time_point armedFor_{};
    std::unique_ptr<Timer> timer_;
};

}  // namespace resound::redis
