#include "redis/LoopLink.h"

#include <spdlog/spdlog.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "redis/RespCommand.h"

namespace resound::redis {
namespace {

constexpr std::size_t kInputBuffer = 16 * 1024;
constexpr int kMaxReadsPerEvent = 8;

}  // namespace

class LoopLink::Timer final : public loop::IoHandler {
  public:
    explicit Timer(LoopLink& owner) : owner_(owner) {}
    void onIoEvent(std::uint32_t) override {
        std::uint64_t expirations;
        [[maybe_unused]] auto n = ::read(owner_.timerFd_, &expirations, sizeof expirations);
        owner_.armedFor_ = {};
        owner_.flush();
    }

  private:
    LoopLink& owner_;
};

LoopLink::LoopLink(loop::EventLoop& loop, ConnectionOptions options, std::string name, AfterHang afterHang)
    : loop_(loop),
      options_(std::move(options)),
      name_(std::move(name)),
      afterHang_(afterHang),
      parser_(options_.limits),
      input_(kInputBuffer) {}

LoopLink::~LoopLink() {
    if (fd_ >= 0) {
        loop_.remove(fd_);
        ::close(fd_);
    }
    if (timerFd_ >= 0) {
        loop_.remove(timerFd_);
        ::close(timerFd_);
    }
    // Outstanding callbacks are dropped uncalled: their owners (the loop's protocol) go with the link.
}

void LoopLink::command(std::initializer_list<std::string_view> args, Callback done) {
    enqueue(std::span<const std::string_view>(args.begin(), args.size()), std::move(done));
}

void LoopLink::command(std::span<const std::string_view> args, Callback done) {
    enqueue(args, std::move(done));
}

void LoopLink::refuse(Callback done) {
    if (done) refused_.push_back(std::move(done));
}

void LoopLink::enqueue(std::span<const std::string_view> args, Callback done) {
    if (state_ == State::Idle) {
        if (Clock::now() < nextAttempt_) {
            refuse(std::move(done));
            return;
        }
        startConnect();
        if (state_ == State::Idle) {
            refuse(std::move(done));
            return;
        }
    }
    // After a hang, nothing but the probe goes out until Redis has answered it (unless told to queue).
    if (refusedAfterHang()) {
        refuse(std::move(done));
        return;
    }
    appendCommand(output_, args);
    pending_.push_back(Pending{std::move(done), false, {}});
    ++unsentCommands_;
}

void LoopLink::eval(const LuaScript& script, std::span<const std::string_view> keys,
                    std::span<const std::string_view> args, Callback done) {
    if (!readyToEval(script)) {
        refuse(std::move(done));
        return;
    }
    appendEval(output_, EvalVerb::EvalSha, script.sha1(), keys, args);
    pending_.push_back(Pending{std::move(done), false, {}});
    ++unsentCommands_;
}

// Encodes the call's own strings: views of them would cost two vectors per call.
void LoopLink::eval(const ScriptCall& call, Callback done) {
    if (!readyToEval(*call.script)) {
        refuse(std::move(done));
        return;
    }
    appendEval(output_, EvalVerb::EvalSha, call.script->sha1(), call.keys, call.args);
    pending_.push_back(Pending{std::move(done), false, {}});
    ++unsentCommands_;
}

bool LoopLink::readyToEval(const LuaScript& script) {
    if (state_ == State::Idle && Clock::now() >= nextAttempt_) startConnect();
    if (state_ == State::Idle || refusedAfterHang()) return false;
    if (std::find(scripts_.begin(), scripts_.end(), script.sha1()) == scripts_.end()) {
        appendCommand(output_, {"SCRIPT", "LOAD", script.source()});
        pending_.push_back(Pending{{}, false, {}});
        ++unsentCommands_;
        scripts_.push_back(script.sha1());
    }
    return true;
}

bool LoopLink::refusedAfterHang() const { return !healthy_ && suspect_ && afterHang_ == AfterHang::Refuse; }

void LoopLink::startConnect() {
    if (address_.length == 0) {  // resolved once per link
        std::string error;
        const std::vector<SocketAddress> found = resolveAddresses(options_, error);
        if (found.empty()) {
            fail(error);
            return;
        }
        address_ = found.front();
    }
    fd_ = ::socket(address_.family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd_ < 0) {
        fail(std::string("socket: ") + std::strerror(errno));
        return;
    }
    address_.tuneConnectedSocket(fd_);
    state_ = State::Connecting;
    healthy_ = false;
    connectStarted_ = Clock::now();
    // The handshake goes first: AUTH, SELECT, and a PING whose answer proves Redis is serving.
    std::size_t handshake = options_.appendHandshake(output_);
    appendCommand(output_, {"PING"});
    for (++handshake; handshake > 0; --handshake) {
        pending_.push_back(Pending{{}, true, {}});
        ++unsentCommands_;
    }
    // A Unix socket whose listener's backlog is full says EAGAIN: a failed attempt like any other.
    if (::connect(fd_, address_.get(), address_.length) != 0 && errno != EINPROGRESS) {
        fail(std::string("connect: ") + std::strerror(errno));
        return;
    }
    if (!loop_.add(fd_, EPOLLOUT, this)) {
        fail("the event loop refused the connection");
        return;
    }
    events_ = EPOLLOUT;
}

void LoopLink::onConnected() {
    state_ = State::Ready;
    updateEvents();
}

void LoopLink::flush() {
    const auto now = Clock::now();
    if (state_ == State::Connecting && now - connectStarted_ >= options_.connectTimeout) {
        fail("connect timed out");
    } else if (state_ == State::Ready && !pending_.empty() &&
               pending_.front().sentAt != Clock::time_point{} &&
               now - pending_.front().sentAt >= options_.ioTimeout) {
        fail("reply timed out");
    }
    // Answers for refused commands; their callbacks may queue more.
    while (!refused_.empty()) {
        std::vector<Callback> answering;
        answering.swap(refused_);
        for (auto& done : answering) done(std::nullopt);
    }
    if (state_ == State::Ready && !output_.empty()) {
        if (!writeOutput()) fail(std::string("write: ") + std::strerror(errno));
    }
    armTimer();
}

void LoopLink::armTimer() {
    Clock::time_point deadline{};
    if (state_ == State::Connecting) {
        deadline = connectStarted_ + options_.connectTimeout;
    } else if (!pending_.empty() && pending_.front().sentAt != Clock::time_point{}) {
        deadline = pending_.front().sentAt + options_.ioTimeout;
    }
    // Nothing to wait for: a timer still armed only causes one spurious flush.
    if (deadline == Clock::time_point{}) return;
    // Armed for this deadline or an earlier one: that expiry flushes and re-arms for whatever is then
    // the oldest. Not re-arming per command saves a timerfd_settime for every request of a quiet
    // loop (one request, one reply, then idle), at the price of one early wake-up per ioTimeout.
    if (armedFor_ != Clock::time_point{} && armedFor_ <= deadline) return;
    if (timerFd_ < 0) {
        timerFd_ = ::timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
        if (timerFd_ < 0) return;  // deadlines are then checked once per loop iteration (tick)
        timer_ = std::make_unique<Timer>(*this);
        // retryAdd: a timer that cannot be registered drops nothing (deadlines are then checked once
        // per iteration) and is tried again at the next armTimer(), so it is no closed connection.
        if (!loop_.retryAdd(timerFd_, EPOLLIN, timer_.get())) {
            ::close(timerFd_);
            timerFd_ = -1;
            return;
        }
    }
    // steady_clock is CLOCK_MONOTONIC on Linux; +1 ms so the deadline has passed when flush() looks.
    const auto ns =
        std::chrono::duration_cast<std::chrono::nanoseconds>(deadline.time_since_epoch()).count() + 1'000'000;
    itimerspec spec{};
    spec.it_value.tv_sec = static_cast<time_t>(ns / 1'000'000'000);
    spec.it_value.tv_nsec = static_cast<long>(ns % 1'000'000'000);
    if (::timerfd_settime(timerFd_, TFD_TIMER_ABSTIME, &spec, nullptr) == 0) armedFor_ = deadline;
}

bool LoopLink::writeOutput() {
    const auto now = Clock::now();
    if (unsentCommands_ > 0) {
        for (auto it = pending_.end() - static_cast<std::ptrdiff_t>(unsentCommands_); it != pending_.end();
             ++it)
            it->sentAt = now;
        unsentCommands_ = 0;
        ++writes_;
    }
    while (!output_.empty()) {
        const ssize_t sent = ::send(fd_, output_.data(), output_.size(), MSG_NOSIGNAL);
        if (sent > 0) {
            output_.erase(0, static_cast<std::size_t>(sent));
            continue;
        }
        if (sent < 0 && errno == EINTR) continue;
        if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
        return false;
    }
    updateEvents();
    return true;
}

void LoopLink::updateEvents() {
    if (fd_ < 0) return;
    const std::uint32_t wanted =
        state_ == State::Connecting ? EPOLLOUT
                                    : EPOLLIN | (output_.empty() ? 0u : static_cast<std::uint32_t>(EPOLLOUT));
    if (wanted == events_) return;
    events_ = wanted;
    if (!loop_.modify(fd_, events_, this)) fail("the event loop refused the connection");
}

void LoopLink::onIoEvent(std::uint32_t events) {
    if (fd_ < 0) return;
    if (state_ == State::Connecting) {
        int soError = 0;
        socklen_t length = sizeof soError;
        if (::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &soError, &length) != 0 || soError != 0) {
            fail(std::string("connect: ") + std::strerror(soError ? soError : errno));
            return;
        }
        onConnected();
        if (!writeOutput()) fail(std::string("write: ") + std::strerror(errno));
        armTimer();
        return;
    }
    if (events & (EPOLLIN | EPOLLERR | EPOLLHUP)) {
        if (!readInput()) return;  // failed (and said why)
    }
    if (fd_ >= 0 && (events & EPOLLOUT) && !writeOutput())
        fail(std::string("write: ") + std::strerror(errno));
    armTimer();
}

bool LoopLink::readInput() {
    for (int i = 0; i < kMaxReadsPerEvent; ++i) {
        const ssize_t got = ::recv(fd_, input_.data(), input_.size(), 0);
        if (got == 0) {
            fail("closed by Redis");
            return false;
        }
        if (got < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) return true;
            fail(std::string("recv: ") + std::strerror(errno));
            return false;
        }
        replies_.clear();
        if (!parser_.feed(input_.data(), static_cast<std::size_t>(got), replies_)) {
            fail("protocol error: " + parser_.error());
            return false;
        }
        for (RespValue& reply : replies_) {
            if (pending_.empty()) {
                fail("a reply nobody asked for");
                return false;
            }
            Pending entry = std::move(pending_.front());
            pending_.pop_front();
            if (entry.handshake) {
                if (reply.isError()) {
                    fail("handshake refused: " + reply.text);
                    return false;
                }
                if (reply.type == RespValue::Type::SimpleString && reply.text == "PONG" && !healthy_)
                    onHealthy();
                continue;
            }
            if (reply.isErrorCode("NOSCRIPT")) scripts_.clear();
            if (entry.done) entry.done(std::move(reply));
        }
        if (static_cast<std::size_t>(got) < input_.size()) return true;
    }
    return true;
}

void LoopLink::onHealthy() {
    healthy_ = true;
    suspect_ = false;
    backoff_.reset();
    if (loggedDown_) {
        const auto outage = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - downSince_);
        spdlog::info("{} reachable again at {} after {} ms", name_, options_.describe(), outage.count());
        loggedDown_ = false;
    }
    everUp_ = true;
}

void LoopLink::fail(const std::string& reason) {
    const bool wasHealthy = healthy_;
    if (fd_ >= 0) {
        if (events_ != 0) loop_.remove(fd_);
        ::close(fd_);
        fd_ = -1;
    }
    events_ = 0;
    state_ = State::Idle;
    healthy_ = false;
    // A Redis that accepted the connection but did not answer is hung: until it answers a probe,
    // callers are refused at once instead of each waiting ioTimeout.
    if (reason == "reply timed out" || reason == "connect timed out") suspect_ = true;
    ++failures_;
    for (auto& p : pending_) refuse(std::move(p.done));
    pending_.clear();
    output_.clear();
    unsentCommands_ = 0;
    parser_.reset();
    scripts_.clear();
    // A link that worked gets one immediate reconnect (Redis restarted); failed attempts back off.
    nextAttempt_ = Clock::now() + (wasHealthy ? std::chrono::milliseconds{0} : backoff_.next());
    if (!loggedDown_) {
        spdlog::warn("{} lost {}: {}", name_, options_.describe(), reason);
        loggedDown_ = true;
        downSince_ = Clock::now();
    }
}

}  // namespace resound::redis
