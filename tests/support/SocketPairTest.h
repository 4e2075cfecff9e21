#pragma once
// Test fixture shared by the tests of the queues that write to a socket (httpserver::WriteQueue,
// edge::SendQueue): a connected, non-blocking pair of sockets. The code under test writes to writer(),
// whose send buffer is made small so a few KiB fill it; the test reads what arrived at the other end.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstddef>
#include <string>

namespace resound::test_support {

class SocketPairTest : public ::testing::Test {
  protected:
    void SetUp() override {
        ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds_), 0);
        ASSERT_EQ(::fcntl(fds_[0], F_SETFL, O_NONBLOCK), 0);
        ASSERT_EQ(::fcntl(fds_[1], F_SETFL, O_NONBLOCK), 0);
        int small = 4096;
        ASSERT_EQ(::setsockopt(fds_[0], SOL_SOCKET, SO_SNDBUF, &small, sizeof small), 0);
    }
    void TearDown() override {
        if (fds_[0] >= 0) ::close(fds_[0]);
        if (fds_[1] >= 0) ::close(fds_[1]);
    }

    int writer() const { return fds_[0]; }
    // Everything the reading end can read now; `eof` is set once the writer's write side is shut.
    std::string readAvailable(bool* eof = nullptr) {
        std::string out;
        char buffer[65536];
        for (;;) {
            const ssize_t n = ::recv(fds_[1], buffer, sizeof buffer, 0);
            if (n == 0 && eof) *eof = true;
            if (n <= 0) break;
            out.append(buffer, static_cast<std::size_t>(n));
        }
        return out;
    }
    // The peer goes away: the next write to writer() fails (EPIPE).
    void closeReader() {
        ::close(fds_[1]);
        fds_[1] = -1;
    }

  private:
    int fds_[2] = {-1, -1};
};

}  // namespace resound::test_support
