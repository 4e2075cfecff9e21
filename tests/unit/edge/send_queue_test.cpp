// SendQueue: what it adds to the httpserver::WriteQueue it wraps (whose ordering, short writes,
// dropping and failures write_queue_test covers): the per-connection cap on protocol traffic, answers
// queued over it, a slow consumer's close, the blocked flag and the half-close after the last bytes.
#include <gtest/gtest.h>

#include <cstddef>
#include <string>

#include "SocketPairTest.h"
#include "edge/SendQueue.h"

namespace resound::edge {
namespace {

SendQueue::Bytes bytes(std::string text) { return std::make_shared<const std::string>(std::move(text)); }

// The queue writes to writer(); drain() flushes until drained, reading the other end between attempts,
// and returns what arrived there.
class SendQueueTest : public test_support::SocketPairTest {
  protected:
    std::string drain(SendQueue& queue, SendQueue::Outcome& last, bool* eof = nullptr) {
        std::string received;
        for (int round = 0; round < 10000; ++round) {
            std::size_t written = 0;
            last = queue.flushTo(writer(), written);
            received += readAvailable(eof);
            if (last != SendQueue::Outcome::Blocked) break;
        }
        return received;
    }
};

TEST_F(SendQueueTest, OfferUpToTheLimitIsQueuedAndBeyondItIsRefused) {
    SendQueue queue;
    EXPECT_TRUE(queue.offer(bytes(std::string(60, 'x')), 100));
    EXPECT_TRUE(queue.offer(bytes(std::string(40, 'y')), 100));  // exactly the limit
    EXPECT_EQ(queue.bytes(), 100u);
    EXPECT_FALSE(queue.offer(bytes("z"), 100));
    EXPECT_EQ(queue.bytes(), 100u);  // a refused frame is not queued

    std::size_t written = 0;
    EXPECT_EQ(queue.flushTo(writer(), written), SendQueue::Outcome::Drained);
    EXPECT_EQ(readAvailable(), std::string(60, 'x') + std::string(40, 'y'));
    EXPECT_TRUE(queue.offer(bytes("z"), 100));  // written bytes no longer count
}

TEST_F(SendQueueTest, AnswersAreQueuedOverTheLimit) {
    SendQueue queue;
    EXPECT_TRUE(queue.offer(bytes(std::string(100, 'x')), 100));
    queue.pushAnswer(bytes("close"));  // a close frame must go out even to a full queue
    EXPECT_EQ(queue.bytes(), 105u);
    std::size_t written = 0;
    EXPECT_EQ(queue.flushTo(writer(), written), SendQueue::Outcome::Drained);
    EXPECT_EQ(readAvailable(), std::string(100, 'x') + "close");
}

TEST_F(SendQueueTest, SlowConsumerKeepsThePartlyWrittenFrameThenGetsTheCloseAndEof) {
    SendQueue queue;
    const std::string frame(3000, 'f');
    std::size_t queued = 0;
    while (queue.offer(bytes(frame), 64 * 1024)) queued += frame.size();
    EXPECT_EQ(queue.bytes(), queued);  // stopped at the limit

    std::size_t written = 0;
    ASSERT_EQ(queue.flushTo(writer(), written), SendQueue::Outcome::Blocked);
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
    ASSERT_EQ(queue.flushTo(writer(), written), SendQueue::Outcome::Blocked);
    EXPECT_TRUE(queue.blocked());  // EPOLLOUT, not the loop's flush list, writes next
    bool eof = false;
    std::string received = readAvailable(&eof);
    EXPECT_FALSE(eof);  // not shut while bytes are still queued

    SendQueue::Outcome last{};
    received += drain(queue, last, &eof);
    EXPECT_EQ(last, SendQueue::Outcome::HalfClosed);
    EXPECT_FALSE(queue.blocked());
    EXPECT_TRUE(eof);
    EXPECT_EQ(received, expected);
}

TEST_F(SendQueueTest, AGonePeerFailsSoTheLoopTearsTheConnectionDown) {
    // WriteQueue's Failed becomes SendQueue's own Outcome::Failed, on which IoThread tears down.
    SendQueue queue;
    closeReader();
    queue.pushAnswer(bytes("nobody reads this"));
    std::size_t written = 0;
    EXPECT_EQ(queue.flushTo(writer(), written), SendQueue::Outcome::Failed);
}

}  // namespace
}  // namespace resound::edge
