#include "EventLoop.h"

#include <sys/timerfd.h>
#include <unistd.h>

#include <cerrno>
#include <stdexcept>

namespace resound::bench {

EventLoop::EventLoop() : epollFd_(epoll_create1(EPOLL_CLOEXEC)) {
    if (epollFd_ < 0) throw std::runtime_error("epoll_create1 failed");
}

EventLoop::~EventLoop() { close(epollFd_); }

bool EventLoop::add(int fd, std::uint32_t events, std::uint64_t token) {
    epoll_event ev{};
    ev.events = events;
    ev.data.u64 = token;
    return epoll_ctl(epollFd_, EPOLL_CTL_ADD, fd, &ev) == 0;
}

bool EventLoop::modify(int fd, std::uint32_t events, std::uint64_t token) {
    epoll_event ev{};
    ev.events = events;
    ev.data.u64 = token;
    return epoll_ctl(epollFd_, EPOLL_CTL_MOD, fd, &ev) == 0;
}

void EventLoop::remove(int fd) { epoll_ctl(epollFd_, EPOLL_CTL_DEL, fd, nullptr); }

int EventLoop::wait(epoll_event* events, int capacity, int timeoutMs) {
    const int n = epoll_wait(epollFd_, events, capacity, timeoutMs);
    if (n < 0 && errno == EINTR) return 0;
    return n;
}

DeadlineTimer::DeadlineTimer() : fd_(timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC)) {
    if (fd_ < 0) throw std::runtime_error("timerfd_create failed");
}

DeadlineTimer::~DeadlineTimer() { close(fd_); }

void DeadlineTimer::armAt(std::int64_t monotonicNs) {
    itimerspec spec{};
    if (monotonicNs <= 0) monotonicNs = 1;  // zero would disarm
    spec.it_value.tv_sec = monotonicNs / 1'000'000'000;
    spec.it_value.tv_nsec = monotonicNs % 1'000'000'000;
    timerfd_settime(fd_, TFD_TIMER_ABSTIME, &spec, nullptr);
}

void DeadlineTimer::disarm() {
    itimerspec spec{};
    timerfd_settime(fd_, 0, &spec, nullptr);
}

void DeadlineTimer::acknowledge() {
    std::uint64_t expirations = 0;
    [[maybe_unused]] const ssize_t n = read(fd_, &expirations, sizeof expirations);
}

}  // namespace resound::bench
