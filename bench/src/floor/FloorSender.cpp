#include "FloorSender.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "Clock.h"
#include "FloorControl.h"

namespace resound::bench {
namespace {

// Tokens: a connection's index, or one of these (far above 19,000), or an unidentified socket's fd.
constexpr std::uint64_t kListenToken = std::uint64_t{1} << 62;
constexpr std::uint64_t kTimerToken = kListenToken + 1;
constexpr std::uint64_t kControlToken = kListenToken + 2;
constexpr std::uint64_t kUnidentified = std::uint64_t{1} << 61;

constexpr int kEventBatch = 256;

}  // namespace

FloorSender::FloorSender(const FloorOptions& options, const FloorSchedule& schedule,
                         const FrameLayout& layout, int listenFd, int controlFd)
    : options_(options),
      schedule_(schedule),
      frame_(layout),
      listenFd_(listenFd),
      controlFd_(controlFd),
      fds_(schedule.connections(), -1) {
    loop_.add(listenFd_, EPOLLIN, kListenToken);
    loop_.add(controlFd_, EPOLLIN, kControlToken);
    loop_.add(timer_.fd(), EPOLLIN, kTimerToken);
}

FloorSender::~FloorSender() {
    for (const auto& [fd, hello] : unidentified_) ::close(fd);
    for (const int fd : fds_) {
        if (fd >= 0) ::close(fd);
    }
}

bool FloorSender::acceptAll(std::int64_t deadlineNs, std::string& error) {
    bool receiverReady = false;
    epoll_event events[kEventBatch];
    while (error.empty() && !(receiverReady && identified_ == fds_.size())) {
        const std::int64_t left = deadlineNs - monotonicNs();
        if (left <= 0) {
            error = "set-up timed out: " + std::to_string(identified_) + " of " +
                    std::to_string(fds_.size()) + " connections identified" +
                    (receiverReady ? "" : ", receiver not ready");
            break;
        }
        const int n = loop_.wait(events, kEventBatch,
                                 static_cast<int>(std::min<std::int64_t>(left / kNsPerMs + 1, 100)));
        for (int i = 0; i < n && error.empty(); ++i) {
            const std::uint64_t token = events[i].data.u64;
            if (token == kListenToken) {
                acceptPending(error);
            } else if (token == kControlToken) {
                FloorMessage message;
                if (!receiveFloorMessage(controlFd_, message, monotonicNs() + kNsPerSecond)) {
                    error = "the receiver exited during set-up";
                } else if (message.kind != FloorMessageKind::Ready || !message.ok) {
                    error =
                        std::string("receiver: ") + (message.error[0] ? message.error : "unexpected message");
                } else {
                    receiverReady = true;
                }
            } else if (token & kUnidentified) {
                readHello(static_cast<int>(token & ~kUnidentified), error);
            }
        }
    }
    loop_.remove(listenFd_);
    return error.empty();
}

void FloorSender::acceptPending(std::string& error) {
    for (;;) {
        const int fd = ::accept4(listenFd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR || errno == ECONNABORTED) return;
            error = std::string("accept: ") + std::strerror(errno);
            return;
        }
        // As Resound does for every accepted connection (shared/edge/IoThread.cpp).
        int one = 1;
        ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        unidentified_.emplace(fd, Hello{});
        loop_.add(fd, EPOLLIN | EPOLLRDHUP, kUnidentified | static_cast<std::uint64_t>(fd));
    }
}

bool FloorSender::readHello(int fd, std::string& error) {
    Hello& hello = unidentified_[fd];
    const ssize_t n = ::recv(fd, hello.bytes + hello.got, sizeof hello.bytes - hello.got, 0);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return true;
    if (n <= 0) {
        error = "a connection closed before saying which one it is";
        return false;
    }
    hello.got += static_cast<std::uint32_t>(n);
    if (hello.got < sizeof hello.bytes) return true;
    const std::uint64_t index = static_cast<std::uint64_t>(hello.bytes[0]) |
                                (std::uint64_t{hello.bytes[1]} << 8) | (std::uint64_t{hello.bytes[2]} << 16) |
                                (std::uint64_t{hello.bytes[3]} << 24);
    unidentified_.erase(fd);
    if (index >= fds_.size() || fds_[index] >= 0) {
        ::close(fd);
        error = "bad or repeated connection index " + std::to_string(index);
        return false;
    }
    fds_[index] = fd;
    ++identified_;
    // Registered for input as a server's connections are; nothing arrives during the window unless the
    // receiver closes the connection.
    loop_.modify(fd, EPOLLIN | EPOLLRDHUP, index);
    return true;
}

void FloorSender::run(std::int64_t startNs, SenderResult& result) {
    const std::int64_t endNs = startNs + static_cast<std::int64_t>(options_.durationSeconds * 1e9);
    const std::uint64_t planned = schedule_.plannedEvents();
    std::uint64_t next = 0;
    epoll_event events[kEventBatch];

    result.startNs = startNs;
    result.machineBefore = readSystemCpu();
    result.waitBeforeS = ownRunqueueWaitS();
    result.cpuBefore = ownCpu();
    timer_.armAt(startNs);
    bool over = false;
    while (!over) {
        const std::int64_t left = endNs - monotonicNs();
        const int n = loop_.wait(events, kEventBatch,
                                 static_cast<int>(std::clamp<std::int64_t>(left / kNsPerMs + 1, 0, 100)));
        for (int i = 0; i < n; ++i) {
            const std::uint64_t token = events[i].data.u64;
            if (token == kTimerToken) {
                timer_.acknowledge();
            } else if (token == kControlToken) {
                result.receiverGone = true;  // the receiver sends nothing during the window
                over = true;
            } else if (token < fds_.size()) {
                onConnectionEvent(token, result);
            }
        }
        const std::int64_t now = monotonicNs();
        const std::uint64_t due = schedule_.dueBy(now - startNs);
        while (!over && next < due) {
            const std::int64_t sentNs = monotonicNs();
            if (sentNs >= endNs) break;
            result.scheduleLag.record(sentNs - (startNs + schedule_.offsetOf(next)));
            fanOut(next, sentNs, result);
            ++next;
        }
        if (next >= planned || monotonicNs() >= endNs) break;
        timer_.armAt(startNs + schedule_.offsetOf(next));
    }
    result.cpuAfter = ownCpu();
    result.waitAfterS = ownRunqueueWaitS();
    result.machineAfter = readSystemCpu();
    result.endNs = std::max(monotonicNs(), endNs);
    result.eventsSent = next;
    timer_.disarm();
}

void FloorSender::fanOut(std::uint64_t event, std::int64_t sentNs, SenderResult& result) {
    frame_.stamp(FrameStamp{sentNs, event});
    const char* bytes = frame_.data();
    const std::size_t size = frame_.size();
    const std::uint64_t step = schedule_.channels();
    for (std::uint64_t i = schedule_.channelOfEvent(event); i < fds_.size(); i += step) {
        const int fd = fds_[i];
        if (fd < 0) continue;
        ssize_t n;
        do {
            n = ::send(fd, bytes, size, MSG_NOSIGNAL);
        } while (n < 0 && errno == EINTR);
        ++result.sends;
        if (n == static_cast<ssize_t>(size)) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            ++result.wouldBlock;  // the frame is dropped; a valid run has none
            continue;
        }
        // Part of a frame, or a dead connection: the stream cannot carry whole frames any more.
        ++(n >= 0 ? result.shortSends : result.sendErrors);
        drop(i);
    }
}

void FloorSender::onConnectionEvent(std::uint64_t index, SenderResult& result) {
    const int fd = fds_[index];
    if (fd < 0) return;
    char scratch[256];
    const ssize_t n = ::recv(fd, scratch, sizeof scratch, 0);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
    // The receiver never writes after its hello: end of file, an error or stray bytes all end it.
    ++result.connectionsClosed;
    drop(index);
}

void FloorSender::drop(std::uint64_t index) {
    loop_.remove(fds_[index]);
    ::close(fds_[index]);
    fds_[index] = -1;
}

}  // namespace resound::bench
