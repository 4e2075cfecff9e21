#pragma once
// A minimal epoll event loop owned by one thread. Poco 1.11's SocketReactor costs a map lookup under a
// mutex and a notification object per event and cannot be woken from another thread (see
// docs/architecture.md), so the edge runs on this instead. Only the owning thread may call anything
// here except post()/wake(), which any thread may call.
#include <sys/epoll.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

namespace resound::loop {

// Something with a file descriptor registered in the loop.
class IoHandler {
  public:
    virtual ~IoHandler() = default;
    virtual void onIoEvent(std::uint32_t epollEvents) = 0;
};

class EventLoop {
  public:
    using Task = std::function<void()>;

    EventLoop();
    ~EventLoop();
    EventLoop(const EventLoop&) = delete;
    EventLoop& operator=(const EventLoop&) = delete;

    // Registration. False when epoll_ctl fails (errno says why: ENOMEM under load, ENOSPC past
    // fs.epoll.max_user_watches, EBADF/EPERM for a descriptor epoll cannot watch); the loop is
    // unchanged then and the caller drops that one descriptor (closes the connection, logs, counts).
    // Never throws: one failed registration must not end the loop every other connection lives on.
    [[nodiscard]] bool add(int fd, std::uint32_t events, IoHandler* handler);
    [[nodiscard]] bool modify(int fd, std::uint32_t events, IoHandler* handler);
    // add() for a descriptor the caller keeps and tries again later (a listener resuming accepting):
    // a failure drops nothing, so registrationFailures() does not count it.
    [[nodiscard]] bool retryAdd(int fd, std::uint32_t events, IoHandler* handler);
    void remove(int fd);
    // Failed add()/modify() calls since construction: the descriptors this loop could not take. The one
    // count behind /metrics' resound_loop_registration_failures_total. Any thread may read it.
    std::uint64_t registrationFailures() const {
        return registrationFailures_.load(std::memory_order_relaxed);
    }

    // Runs until stop(). Every iteration: wait for events (at most tickInterval), dispatch them, run
    // posted tasks, then the after-events hook (where connections flush their queued writes), and the
    // tick hook once per tickInterval measured on the monotonic clock (so it fires under load too).
    // A loop runs once: a stop() that comes first (even before run() starts) makes run() return
    // after running the tasks posted so far.
    void run();
    void stop();  // any thread

    // Any thread: queue a task for the loop thread and wake it.
    void post(Task task);
    // Any thread: make the loop run an iteration soon (its after-events hook runs then).
    void wake();
    // Loop thread: the next iteration polls for events without blocking (work is left over).
    void skipNextWait() { skipNextWait_ = true; }

    void setAfterEventsHook(Task hook) { afterEvents_ = std::move(hook); }
    void setTickHook(std::chrono::milliseconds interval, Task hook) {
        tickInterval_ = interval;
        tick_ = std::move(hook);
    }
    // Called at the end of every iteration with the time it took from epoll_wait's return (waiting
    // excluded; events, posted tasks, the after-events hook and the tick included): what a client
    // ready at the start of the iteration waited for the loop. For metrics; keep it cheap.
    using IterationHook = std::function<void(std::chrono::steady_clock::duration)>;
    void setIterationHook(IterationHook hook) { iterationHook_ = std::move(hook); }

  private:
    class Waker;
    void drainPosted();
    bool control(int operation, int fd, std::uint32_t events, IoHandler* handler);

    int epollFd_ = -1;
    int wakeFd_ = -1;
    std::atomic<bool> stopRequested_{false};
    std::atomic<std::uint64_t> registrationFailures_{0};
    bool skipNextWait_ = false;
    std::mutex postedMutex_;
    std::vector<Task> posted_;
    std::vector<Task> running_tasks_;
    Task afterEvents_;
    Task tick_;
    IterationHook iterationHook_;
    std::chrono::milliseconds tickInterval_{1000};
    std::unique_ptr<IoHandler> waker_;
};

}  // namespace resound::loop
