// EventLoop: a failed registration is reported to the caller, counted, and leaves the loop serving
// (no exception, so no abort of the io thread); a stop() that comes before run() is not lost.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <future>
#include <thread>

#include "loop/EventLoop.h"

namespace resound::loop {
namespace {

using namespace std::chrono_literals;

class CountingHandler : public IoHandler {
  public:
    explicit CountingHandler(int fd = -1) : fd_(fd) {}
    void onIoEvent(std::uint32_t) override {
        char buffer[64];
        if (fd_ >= 0) [[maybe_unused]]
            auto n = ::read(fd_, buffer, sizeof buffer);
        ++events;
    }
    std::atomic<int> events{0};

  private:
    int fd_;
};

struct Pipe {
    Pipe() { EXPECT_EQ(::pipe2(fds, O_NONBLOCK | O_CLOEXEC), 0); }
    ~Pipe() {
        for (int fd : fds)
            if (fd >= 0) ::close(fd);
    }
    int fds[2] = {-1, -1};
};

// Runs `loop` on a thread; join() fails the test instead of hanging when run() does not return.
class LoopThread {
  public:
    explicit LoopThread(EventLoop& loop) : done_(std::async(std::launch::async, [&loop] { loop.run(); })) {}
    bool joined(std::chrono::milliseconds within = 5s) {
        return done_.wait_for(within) == std::future_status::ready;
    }

  private:
    std::future<void> done_;
};

TEST(EventLoop, FailedRegistrationsReturnFalseWithErrnoAndAreCounted) {
    EventLoop loop;
    CountingHandler handler;

    errno = 0;
    EXPECT_FALSE(loop.add(-1, EPOLLIN, &handler));
    EXPECT_EQ(errno, EBADF);

    Pipe closed;
    const int stale = closed.fds[0];
    ::close(closed.fds[0]);
    closed.fds[0] = -1;
    EXPECT_FALSE(loop.add(stale, EPOLLIN, &handler));  // a descriptor closed under us

    FILE* file = std::tmpfile();
    ASSERT_NE(file, nullptr);
    errno = 0;
    EXPECT_FALSE(loop.add(::fileno(file), EPOLLIN, &handler));  // epoll cannot watch regular files
    EXPECT_EQ(errno, EPERM);
    std::fclose(file);

    Pipe unregistered;
    errno = 0;
    EXPECT_FALSE(loop.modify(unregistered.fds[0], EPOLLIN, &handler));
    EXPECT_EQ(errno, ENOENT);

    EXPECT_EQ(loop.registrationFailures(), 4u);
    EXPECT_TRUE(loop.add(unregistered.fds[0], EPOLLIN, &handler));
    EXPECT_TRUE(loop.modify(unregistered.fds[0], EPOLLIN | EPOLLRDHUP, &handler));
    EXPECT_EQ(loop.registrationFailures(), 4u);
}

TEST(EventLoop, KeepsServingOtherDescriptorsAfterAFailedRegistrationOnItsThread) {
    EventLoop loop;
    Pipe good;
    CountingHandler reader(good.fds[0]);
    ASSERT_TRUE(loop.add(good.fds[0], EPOLLIN, &reader));
    LoopThread thread(loop);

    std::promise<bool> added;
    loop.post([&] {
        CountingHandler nobody;
        added.set_value(loop.add(-1, EPOLLIN, &nobody));  // on the loop thread, as IoThread does
    });
    EXPECT_FALSE(added.get_future().get());
    ASSERT_EQ(::write(good.fds[1], "x", 1), 1);
    for (int i = 0; i < 500 && reader.events == 0; ++i) std::this_thread::sleep_for(2ms);
    EXPECT_GE(reader.events.load(), 1);
    EXPECT_EQ(loop.registrationFailures(), 1u);
    loop.stop();
    EXPECT_TRUE(thread.joined());
}

TEST(EventLoop, StopBeforeRunIsNotLostAndPostedTasksStillRun) {
    EventLoop loop;
    bool ran = false;
    loop.post([&] { ran = true; });
    loop.stop();
    LoopThread thread(loop);
    ASSERT_TRUE(thread.joined()) << "run() after stop() did not return";
    EXPECT_TRUE(ran);
}

TEST(EventLoop, StopRacingTheStartOfRunAlwaysEndsIt) {
    for (int i = 0; i < 200; ++i) {
        EventLoop loop;
        std::thread runner([&] { loop.run(); });
        loop.stop();  // may land before, during or after run() begins
        auto joined = std::async(std::launch::async, [&] { runner.join(); });
        ASSERT_EQ(joined.wait_for(5s), std::future_status::ready) << "iteration " << i;
    }
}

// A paused listener's re-registration is retried every tick while it fails: each failure drops no
// descriptor, so none is counted with the connections the loop could not take.
TEST(EventLoop, RetryAddFailuresAreNotRegistrationFailures) {
    EventLoop loop;
    CountingHandler handler;
    errno = 0;
    EXPECT_FALSE(loop.retryAdd(-1, EPOLLIN, &handler));
    EXPECT_EQ(errno, EBADF);
    EXPECT_EQ(loop.registrationFailures(), 0u);
    EXPECT_FALSE(loop.add(-1, EPOLLIN, &handler));
    EXPECT_EQ(loop.registrationFailures(), 1u);

    Pipe pipe;
    EXPECT_TRUE(loop.retryAdd(pipe.fds[0], EPOLLIN, &handler));
    EXPECT_TRUE(loop.modify(pipe.fds[0], EPOLLIN | EPOLLRDHUP, &handler));  // registered for real
    EXPECT_EQ(loop.registrationFailures(), 1u);
}

// post() writes the eventfd only when the list was empty (the loop drains the whole list every
// iteration): bursts from another thread, with the loop going idle between them, must all run, and a
// lone post after the loop went idle must still wake it.
TEST(EventLoop, PostsFromAnotherThreadAreNeverLostWhenWakeUpsAreShared) {
    EventLoop loop;
    LoopThread running(loop);
    std::atomic<int> ran{0};
    int posted = 0;
    for (int burst = 0; burst < 300; ++burst) {
        const int size = 1 + (burst * 37) % 200;
        for (int i = 0; i < size; ++i, ++posted) loop.post([&] { ++ran; });
        if (burst % 3 == 0) std::this_thread::sleep_for(200us);  // let the loop drain and sleep
    }
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (ran.load() < posted && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(1ms);
    EXPECT_EQ(ran.load(), posted);

    std::this_thread::sleep_for(50ms);  // idle in epoll_wait with an empty list
    std::promise<void> woke;
    const auto sent = std::chrono::steady_clock::now();
    loop.post([&] { woke.set_value(); });
    ASSERT_EQ(woke.get_future().wait_for(2s), std::future_status::ready);
    EXPECT_LT(std::chrono::steady_clock::now() - sent, 500ms);
    loop.stop();
    EXPECT_TRUE(running.joined());
}

}  // namespace
}  // namespace resound::loop
