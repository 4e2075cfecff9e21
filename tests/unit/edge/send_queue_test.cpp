// SendQueue: what an edge connection writes, in which order, what a full socket buffer and a slow
// consumer do to it, and the half-close after the last bytes of a closing connection.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstddef>
#include <string>

#include "edge/SendQueue.h"

namespace resound::edge {
namespace {

SendQueue::Bytes bytes(std::string text) { return std::make_shared<const std::string>(std::move(text)); }

// A connected pair of sockets: the queue writes to server(), the test reads what arrived at client().
// The server side's send buffer is made small, so a few KiB fill it.
class SendQueueTest : public ::testing::Test {
  protected:
    void SetUp() override {
        ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds_), 0);
        ::fcntl(fds_[0], F_SETFL, O_NONBLOCK);
        ::fcntl(fds_[1], F_SETFL, O_NONBLOCK);
        int small = 4096;
        ::setsockopt(fds_[0], SOL_SOCKET, SO_SNDBUF, &small, sizeof small);
    }
    void TearDown() override {
        ::close(fds_[0]);
        ::close(fds_[1]);
    }
    int server() const { return fds_[0]; }
    // Everything the client can read now; `eof` tells whether the server's write side is shut.
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
    // Flushes until drained, reading the client side between attempts; returns what the client got.
    std::string drain(SendQueue& queue, SendQueue::Outcome& last, bool* eof = nullptr) {
        std::string received;
        for (int round = 0; round < 10000; ++round) {
            std::size_t written = 0;
            last = queue.flushTo(server(), written);
            received += readAvailable(eof);
            if (last != SendQueue::Outcome::Blocked) break;
        }
        return received;
    }

    int fds_[2] = {-1, -1};
};

TEST_F(SendQueueTest, AnswersAndFramesLeaveInTheOrderQueued) {
    SendQueue queue;
    queue.pushAnswer(bytes("101 "));
    EXPECT_TRUE(queue.offer(bytes("established "), 1024));
    queue.pushAnswer(bytes("pong "));
    EXPECT_TRUE(queue.offer(bytes("event"), 1024));
    EXPECT_EQ(queue.bytes(), 26u);

    std::size_t written = 0;
    EXPECT_EQ(queue.flushTo(server(), written), SendQueue::Outcome::Drained);
    EXPECT_EQ(written, 26u);
    EXPECT_TRUE(queue.empty());
    EXPECT_FALSE(queue.blocked());
    EXPECT_EQ(readAvailable(), "101 established pong event");
}

TEST_F(SendQueueTest, FullSocketBufferBlocksAndTheNextFlushResumesMidFrame) {
    SendQueue queue;
    std::string expected;
    for (int i = 0; i < 64; ++i) {
        std::string frame(1000, static_cast<char>('a' + i % 26));
        expected += frame;
        ASSERT_TRUE(queue.offer(bytes(frame), 1 << 20));
    }
    std::size_t written = 0;
    ASSERT_EQ(queue.flushTo(server(), written), SendQueue::Outcome::Blocked);
    EXPECT_TRUE(queue.blocked());
    EXPECT_GT(written, 0u);
    EXPECT_LT(written, expected.size());
    EXPECT_EQ(queue.bytes(), expected.size() - written);

    SendQueue::Outcome last{};
    const std::string received = readAvailable() + drain(queue, last);
    EXPECT_EQ(last, SendQueue::Outcome::Drained);
    EXPECT_FALSE(queue.blocked());
    EXPECT_TRUE(queue.empty());
    EXPECT_EQ(received, expected);  // nothing lost, repeated or reordered across the short writes
}

TEST_F(SendQueueTest, OfferUpToTheLimitIsQueuedAndBeyondItIsRefused) {
    SendQueue queue;
    EXPECT_TRUE(queue.offer(bytes(std::string(60, 'x')), 100));
    EXPECT_TRUE(queue.offer(bytes(std::string(40, 'y')), 100));  // exactly the limit
    EXPECT_EQ(queue.bytes(), 100u);
    EXPECT_FALSE(queue.offer(bytes("z"), 100));
    EXPECT_EQ(queue.bytes(), 100u);  // a refused frame is not queued

    std::size_t written = 0;
    EXPECT_EQ(queue.flushTo(server(), written), SendQueue::Outcome::Drained);
    EXPECT_EQ(readAvailable(), std::string(60, 'x') + std::string(40, 'y'));
    EXPECT_TRUE(queue.offer(bytes("z"), 100));  // written bytes no longer count
}

TEST_F(SendQueueTest, AnswersAreQueuedOverTheLimit) {
    SendQueue queue;
    EXPECT_TRUE(queue.offer(bytes(std::string(100, 'x')), 100));
    queue.pushAnswer(bytes("close"));  // a close frame must go out even to a full queue
    EXPECT_EQ(queue.bytes(), 105u);
    std::size_t written = 0;
    EXPECT_EQ(queue.flushTo(server(), written), SendQueue::Outcome::Drained);
    EXPECT_EQ(readAvailable(), std::string(100, 'x') + "close");
}

TEST_F(SendQueueTest, SlowConsumerKeepsThePartlyWrittenFrameThenGetsTheCloseAndEof) {
    SendQueue queue;
    const std::string frame(3000, 'f');
    std::size_t queued = 0;
    while (queue.offer(bytes(frame), 64 * 1024)) queued += frame.size();
    EXPECT_EQ(queue.bytes(), queued);  // stopped at the limit

    std::size_t written = 0;
    ASSERT_EQ(queue.flushTo(server(), written), SendQueue::Outcome::Blocked);
    ASSERT_NE(written % frame.size(), 0u) << "the test needs a frame cut by the short write";

    // What IoThread does to a slow consumer: drop what has not started, queue the close, drain, half-close.
    queue.dropUnsent();
    const std::size_t restOfStartedFrame = frame.size() - written % frame.size();
    EXPECT_EQ(queue.bytes(), restOfStartedFrame);
    queue.pushAnswer(bytes("CLOSE"));
    queue.closeWhenDrained();

    bool eof = false;
    SendQueue::Outcome last{};
    const std::string received = readAvailable(&eof) + drain(queue, last, &eof);
    EXPECT_EQ(last, SendQueue::Outcome::HalfClosed);
    EXPECT_TRUE(eof);
    // Whole frames only, then the close: the stream stays parseable.
    EXPECT_EQ(received, std::string(written + restOfStartedFrame, 'f') + "CLOSE");
}

TEST_F(SendQueueTest, CloseWhenDrainedWaitsForTheLastByte) {
    SendQueue queue;
    std::string expected;
    for (int i = 0; i < 32; ++i) {
        expected += std::string(1000, 'r');
        queue.pushAnswer(bytes(std::string(1000, 'r')));
    }
    queue.closeWhenDrained();
    std::size_t written = 0;
    ASSERT_EQ(queue.flushTo(server(), written), SendQueue::Outcome::Blocked);
    bool eof = false;
    std::string received = readAvailable(&eof);
    EXPECT_FALSE(eof);  // not shut while bytes are still queued

    SendQueue::Outcome last{};
    received += drain(queue, last, &eof);
    EXPECT_EQ(last, SendQueue::Outcome::HalfClosed);
    EXPECT_TRUE(eof);
    EXPECT_EQ(received, expected);
}

TEST_F(SendQueueTest, AGonePeerFails) {
    SendQueue queue;
    ::close(fds_[1]);
    fds_[1] = ::socket(AF_UNIX, SOCK_STREAM, 0);  // TearDown closes something valid
    queue.pushAnswer(bytes("nobody reads this"));
    std::size_t written = 0;
    EXPECT_EQ(queue.flushTo(server(), written), SendQueue::Outcome::Failed);
}

}  // namespace
}  // namespace resound::edge
