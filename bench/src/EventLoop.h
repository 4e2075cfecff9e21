#pragma once
// A thin epoll wrapper plus a one-shot timerfd, enough for the single-threaded load generator.
// Registrations carry a 64-bit token: the owner kind in the top byte, an index below it.
// Owned and used by one thread.
#include <sys/epoll.h>

#include <cstdint>

namespace resound::bench {

enum class TokenKind : std::uint8_t { Subscriber = 1, HttpConnection = 2, Timer = 3 };

inline std::uint64_t makeToken(TokenKind kind, std::uint64_t index) {
    return (static_cast<std::uint64_t>(kind) << 56) | index;
}
inline TokenKind tokenKind(std::uint64_t token) { return static_cast<TokenKind>(token >> 56); }
inline std::uint64_t tokenIndex(std::uint64_t token) { return token & ((std::uint64_t{1} << 56) - 1); }

class EventLoop {
  public:
    EventLoop();
    ~EventLoop();
    EventLoop(const EventLoop&) = delete;
    EventLoop& operator=(const EventLoop&) = delete;

    bool add(int fd, std::uint32_t events, std::uint64_t token);
    bool modify(int fd, std::uint32_t events, std::uint64_t token);
    void remove(int fd);
    // epoll_wait, EINTR counted as zero events.
    int wait(epoll_event* events, int capacity, int timeoutMs);

  private:
    int epollFd_ = -1;
};

// A CLOCK_MONOTONIC timerfd armed for an absolute deadline (one shot).
class DeadlineTimer {
  public:
    DeadlineTimer();
    ~DeadlineTimer();
    DeadlineTimer(const DeadlineTimer&) = delete;
    DeadlineTimer& operator=(const DeadlineTimer&) = delete;

    int fd() const { return fd_; }
    void armAt(std::int64_t monotonicNs);
    void disarm();
    // Reads the expiration count so the fd stops being readable.
    void acknowledge();

  private:
    int fd_ = -1;
};

}  // namespace resound::bench
