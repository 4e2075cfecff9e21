#include "loop/EventLoop.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>

namespace resound::loop {

namespace {
[[noreturn]] void throwErrno(const char* what) {
    throw std::runtime_error(std::string(what) + ": " + std::strerror(errno));
}
}  // namespace

// Drains the eventfd so level-triggered epoll stops reporting it; the posted tasks run afterwards.
class EventLoop::Waker : public IoHandler {
  public:
    explicit Waker(int fd) : fd_(fd) {}
    void onIoEvent(std::uint32_t) override {
        std::uint64_t value;
        while (::read(fd_, &value, sizeof value) == sizeof value) {
        }
    }

  private:
    int fd_;
};

EventLoop::EventLoop() {
    epollFd_ = ::epoll_create1(EPOLL_CLOEXEC);
    if (epollFd_ < 0) throwErrno("epoll_create1");
    wakeFd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (wakeFd_ < 0) throwErrno("eventfd");
    waker_ = std::make_unique<Waker>(wakeFd_);
    if (!add(wakeFd_, EPOLLIN, waker_.get())) throwErrno("epoll_ctl(ADD) of the wake-up eventfd");
}

EventLoop::~EventLoop() {
    if (wakeFd_ >= 0) ::close(wakeFd_);
    if (epollFd_ >= 0) ::close(epollFd_);
}

bool EventLoop::control(int operation, int fd, std::uint32_t events, IoHandler* handler) {
    epoll_event ev{};
    ev.events = events;
    ev.data.ptr = handler;
    return ::epoll_ctl(epollFd_, operation, fd, &ev) == 0;  // errno is left as epoll_ctl set it
}

bool EventLoop::add(int fd, std::uint32_t events, IoHandler* handler) {
    if (control(EPOLL_CTL_ADD, fd, events, handler)) return true;
    registrationFailures_.fetch_add(1, std::memory_order_relaxed);
    return false;
}

bool EventLoop::modify(int fd, std::uint32_t events, IoHandler* handler) {
    if (control(EPOLL_CTL_MOD, fd, events, handler)) return true;
    registrationFailures_.fetch_add(1, std::memory_order_relaxed);
    return false;
}

bool EventLoop::retryAdd(int fd, std::uint32_t events, IoHandler* handler) {
    return control(EPOLL_CTL_ADD, fd, events, handler);
}

void EventLoop::remove(int fd) {
    // ENOENT/EBADF mean it is already gone, which is what the caller wants.
    ::epoll_ctl(epollFd_, EPOLL_CTL_DEL, fd, nullptr);
}

void EventLoop::post(Task task) {
    bool wasEmpty;
    {
        std::lock_guard lock(postedMutex_);
        wasEmpty = posted_.empty();
        posted_.push_back(std::move(task));
    }
    // A non-empty list has its wake-up written already (by the post that made it non-empty) and is
    // drained by the loop every iteration, so a burst of posts costs one eventfd write, not one each.
    if (wasEmpty) wake();
}

void EventLoop::wake() {
    std::uint64_t one = 1;
    // A full eventfd counter (EAGAIN) still leaves it readable, so the wake-up is not lost.
    [[maybe_unused]] auto n = ::write(wakeFd_, &one, sizeof one);
}

void EventLoop::stop() {
    stopRequested_ = true;  // sticky: a stop() before run() starts is not lost
    wake();
}

void EventLoop::drainPosted() {
    {
        std::lock_guard lock(postedMutex_);
        if (posted_.empty()) return;
        running_tasks_.swap(posted_);
    }
    for (auto& task : running_tasks_) task();
    running_tasks_.clear();
}

void EventLoop::run() {
    constexpr int kMaxEvents = 256;
    epoll_event events[kMaxEvents];
    auto now = std::chrono::steady_clock::now();
    auto nextTick = now + tickInterval_;
    while (!stopRequested_) {
        auto waitMs = std::chrono::duration_cast<std::chrono::milliseconds>(nextTick - now).count();
        if (waitMs < 0 || skipNextWait_) waitMs = 0;
        skipNextWait_ = false;
        int n = ::epoll_wait(epollFd_, events, kMaxEvents, static_cast<int>(waitMs));
        if (n < 0 && errno != EINTR) throwErrno("epoll_wait");
        const auto busyFrom = std::chrono::steady_clock::now();
        for (int i = 0; i < n; ++i) {
            static_cast<IoHandler*>(events[i].data.ptr)->onIoEvent(events[i].events);
        }
        drainPosted();
        if (afterEvents_) afterEvents_();
        now = std::chrono::steady_clock::now();
        if (now >= nextTick) {
            nextTick = now + tickInterval_;
            if (tick_) {
                tick_();
                now = std::chrono::steady_clock::now();
            }
        }
        // The end of this iteration is the start of the next one's wait: one clock read serves both.
        if (iterationHook_) iterationHook_(now - busyFrom);
    }
    drainPosted();
}

}  // namespace resound::loop
