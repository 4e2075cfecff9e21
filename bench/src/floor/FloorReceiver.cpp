#include "FloorReceiver.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "Clock.h"
#include "EventLoop.h"
#include "FloorControl.h"
#include "FloorProcess.h"
#include "LatencyHistogram.h"

namespace resound::bench {
namespace {

constexpr std::uint64_t kControlToken = std::uint64_t{1} << 62;
constexpr int kEventBatch = 1024;
constexpr std::size_t kReadBuffer = 256 * 1024;
constexpr int kConnectTimeoutS = 10;
// How long the receiver waits for Go, and past the window for Done, before giving up on the sender.
constexpr std::int64_t kControlGraceNs = 120 * kNsPerSecond;

struct Subscriber {
    int fd = -1;
    std::uint64_t nextEvent = 0;  // the next event of this connection's channel
    FrameCursor cursor;
};

class Receiver {
  public:
    Receiver(const FloorOptions& options, const FloorSchedule& schedule, const FrameLayout& layout,
             int controlFd)
        : options_(options),
          schedule_(schedule),
          layout_(layout),
          controlFd_(controlFd),
          subscribers_(schedule.connections()),
          buffer_(kReadBuffer) {}

    ~Receiver() {
        for (const auto& s : subscribers_) {
            if (s.fd >= 0) ::close(s.fd);
        }
    }

    bool connectAll(std::uint16_t port, std::string& error);
    int run();

  private:
    void readFrom(std::uint64_t index, std::int64_t& now);
    void close(std::uint64_t index);

    const FloorOptions& options_;
    const FloorSchedule& schedule_;
    const FrameLayout& layout_;
    int controlFd_;
    EventLoop loop_;
    std::vector<Subscriber> subscribers_;
    std::vector<char> buffer_;
    LatencyHistogram latency_;
    ReceiverResult result_;
    std::uint64_t gapLost_ = 0;  // frames known missing: a later frame of the same connection arrived
    std::int64_t lastFrameNs_ = 0;
};

bool Receiver::connectAll(std::uint16_t port, std::string& error) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    for (std::uint64_t i = 0; i < subscribers_.size(); ++i) {
        const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            error = "socket " + std::to_string(i) + ": " + std::strerror(errno);
            return false;
        }
        subscribers_[i].fd = fd;
        subscribers_[i].nextEvent = schedule_.channelOfConnection(i);
        // A blocking connect and hello, bounded: SO_SNDTIMEO also limits connect().
        timeval timeout{kConnectTimeoutS, 0};
        ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
        if (::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
            error = "connect " + std::to_string(i) + ": " + std::strerror(errno);
            return false;
        }
        const unsigned char hello[4] = {static_cast<unsigned char>(i), static_cast<unsigned char>(i >> 8),
                                        static_cast<unsigned char>(i >> 16),
                                        static_cast<unsigned char>(i >> 24)};
        if (::send(fd, hello, sizeof hello, MSG_NOSIGNAL) != static_cast<ssize_t>(sizeof hello)) {
            error = "hello " + std::to_string(i) + ": " + std::strerror(errno);
            return false;
        }
        ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
        if (!loop_.add(fd, EPOLLIN | EPOLLRDHUP, i)) {
            error = std::string("epoll_ctl: ") + std::strerror(errno);
            return false;
        }
    }
    return true;
}

int Receiver::run() {
    FloorMessage go;
    if (!receiveFloorMessage(controlFd_, go, monotonicNs() + kControlGraceNs) ||
        go.kind != FloorMessageKind::Go) {
        return 3;  // the sender gave up; it reports why
    }
    const std::int64_t startNs = go.first;
    const double waitBefore = ownRunqueueWaitS();
    const OwnCpu cpuBefore = ownCpu();
    loop_.add(controlFd_, EPOLLIN, kControlToken);

    bool doneKnown = false;
    std::int64_t windowEndNs = 0;
    std::int64_t deadlineNs =
        startNs + static_cast<std::int64_t>(options_.durationSeconds * 1e9) + kControlGraceNs;
    epoll_event events[kEventBatch];
    for (;;) {
        std::int64_t now = monotonicNs();
        if (doneKnown && result_.delivered + gapLost_ >= result_.expected) break;
        if (now >= deadlineNs) {
            if (!doneKnown) return 3;  // no Done: the sender is gone
            result_.drainTimedOut = true;
            break;
        }
        const int n =
            loop_.wait(events, kEventBatch,
                       static_cast<int>(std::min<std::int64_t>((deadlineNs - now) / kNsPerMs + 1, 100)));
        for (int i = 0; i < n; ++i) {
            const std::uint64_t token = events[i].data.u64;
            if (token == kControlToken) {
                FloorMessage done;
                if (!receiveFloorMessage(controlFd_, done, monotonicNs() + kNsPerSecond) ||
                    done.kind != FloorMessageKind::Done) {
                    return 3;
                }
                doneKnown = true;
                windowEndNs = done.second;
                result_.expected = schedule_.deliveriesFor(static_cast<std::uint64_t>(done.first));
                deadlineNs = monotonicNs() + static_cast<std::int64_t>(options_.drainSeconds * 1e9);
                loop_.remove(controlFd_);
            } else if (token < subscribers_.size()) {
                readFrom(token, now);
            }
        }
        if (options_.receiverPauseUs > 0 && n > 0)
            ::usleep(static_cast<useconds_t>(options_.receiverPauseUs));
    }
    const OwnCpu cpuAfter = ownCpu();
    const double waitAfter = ownRunqueueWaitS();

    result_.cpuUserS = cpuAfter.userS - cpuBefore.userS;
    result_.cpuSysS = cpuAfter.systemS - cpuBefore.systemS;
    result_.windowS = static_cast<double>(std::max(lastFrameNs_, windowEndNs) - startNs) / 1e9;
    result_.runqueueWaitS = waitBefore >= 0 && waitAfter >= 0 ? waitAfter - waitBefore : -1;
    result_.latencyCount = latency_.count();
    result_.latencyP50Ns = latency_.percentile(0.50);
    result_.latencyP90Ns = latency_.percentile(0.90);
    result_.latencyP99Ns = latency_.percentile(0.99);
    result_.latencyP999Ns = latency_.percentile(0.999);
    result_.latencyMaxNs = latency_.max();
    FloorMessage message;
    message.kind = FloorMessageKind::Result;
    message.result = result_;
    return sendFloorMessage(controlFd_, message) ? 0 : 3;
}

void Receiver::readFrom(std::uint64_t index, std::int64_t& now) {
    Subscriber& s = subscribers_[index];
    if (s.fd < 0) return;
    const std::uint64_t channel = schedule_.channelOfConnection(index);
    const std::uint64_t step = schedule_.channels();
    auto onFrame = [&](const FrameStamp& stamp) {
        if (stamp.event < s.nextEvent || schedule_.channelOfEvent(stamp.event) != channel) {
            ++result_.misordered;
            return;
        }
        gapLost_ += (stamp.event - s.nextEvent) / step;
        s.nextEvent = stamp.event + step;
        ++result_.delivered;
        latency_.record(now - stamp.sentNs);
    };
    for (;;) {
        const ssize_t n = ::recv(s.fd, buffer_.data(), buffer_.size(), 0);
        if (n > 0) {
            now = monotonicNs();
            lastFrameNs_ = now;
            ++result_.recvCalls;
            result_.bytes += static_cast<std::uint64_t>(n);
            if (!feedFrames(layout_, s.cursor, buffer_.data(), static_cast<std::size_t>(n), onFrame)) {
                ++result_.corruptStreams;
                close(index);
                return;
            }
            if (static_cast<std::size_t>(n) < buffer_.size()) return;  // drained; level-triggered anyway
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
        ++result_.connectionsClosed;
        close(index);
        return;
    }
}

void Receiver::close(std::uint64_t index) {
    Subscriber& s = subscribers_[index];
    loop_.remove(s.fd);
    ::close(s.fd);
    s.fd = -1;
}

}  // namespace

int runFloorReceiver(const FloorOptions& options, const FloorSchedule& schedule, const FrameLayout& layout,
                     std::uint16_t port, int controlFd) {
    FloorMessage ready;
    ready.kind = FloorMessageKind::Ready;
    std::string error;
    Receiver receiver(options, schedule, layout, controlFd);
    if (!pinToCpu(options.receiverCpu, error) || !receiver.connectAll(port, error)) {
        ready.setError(error);
        sendFloorMessage(controlFd, ready);
        return 3;
    }
    if (!sendFloorMessage(controlFd, ready)) return 3;
    return receiver.run();
}

}  // namespace resound::bench
