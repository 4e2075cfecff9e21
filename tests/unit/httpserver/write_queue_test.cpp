// WriteQueue: buffers go out in order over one socket, a full socket buffer reports Blocked and the
// next write resumes mid-buffer, a closed peer reports Failed, dropUnstarted keeps a started buffer.
#include <gtest/gtest.h>

#include <string>

#include "SocketPairTest.h"
#include "httpserver/WriteQueue.h"

namespace resound::httpserver {
namespace {

WriteQueue::Bytes bytes(std::string text) { return std::make_shared<const std::string>(std::move(text)); }

using WriteQueueTest = test_support::SocketPairTest;

TEST_F(WriteQueueTest, WritesBuffersInOrderAndEmpties) {
    WriteQueue queue;
    queue.push(bytes("HTTP/1.1 200 OK\r\n"));
    queue.push(bytes(""));  // ignored
    queue.push(bytes("\r\nbody"));
    EXPECT_EQ(queue.bytes(), 23u);
    std::size_t written = 0;
    EXPECT_EQ(queue.writeTo(writer(), written), WriteQueue::Result::Flushed);
    EXPECT_EQ(written, 23u);
    EXPECT_TRUE(queue.empty());
    EXPECT_EQ(queue.bytes(), 0u);
    EXPECT_EQ(readAvailable(), "HTTP/1.1 200 OK\r\n\r\nbody");
}

TEST_F(WriteQueueTest, FullSocketBlocksAndResumesMidBuffer) {
    WriteQueue queue;
    std::string expected;
    for (int i = 0; i < 40; ++i) {
        std::string chunk(10000, static_cast<char>('a' + i % 26));
        expected += chunk;
        queue.push(bytes(chunk));
    }
    std::string received;
    std::size_t written = 0;
    int blocked = 0;
    for (int round = 0; round < 10000; ++round) {
        const auto result = queue.writeTo(writer(), written);
        ASSERT_NE(result, WriteQueue::Result::Failed);
        received += readAvailable();
        if (result == WriteQueue::Result::Flushed) break;
        ++blocked;
        EXPECT_EQ(queue.bytes(), expected.size() - written);
    }
    received += readAvailable();
    EXPECT_GT(blocked, 0);
    EXPECT_TRUE(queue.empty());
    EXPECT_EQ(written, expected.size());
    EXPECT_EQ(received, expected);
}

TEST_F(WriteQueueTest, DropUnstartedKeepsThePartlyWrittenBuffer) {
    WriteQueue queue;
    queue.push(bytes(std::string(1 << 20, 'x')));  // cannot fit: written in part
    queue.push(bytes("never"));
    std::size_t written = 0;
    ASSERT_EQ(queue.writeTo(writer(), written), WriteQueue::Result::Blocked);
    ASSERT_GT(written, 0u);
    queue.dropUnstarted();
    EXPECT_EQ(queue.bytes(), (1u << 20) - written);  // the rest of the first buffer only
    std::string received;
    for (int round = 0; round < 100000 && !queue.empty(); ++round) {
        received += readAvailable();
        queue.writeTo(writer(), written);
    }
    received += readAvailable();
    EXPECT_TRUE(queue.empty());
    EXPECT_EQ(written, 1u << 20);
    EXPECT_EQ(received, std::string(1 << 20, 'x'));  // no cut buffer, no "never"
}

TEST_F(WriteQueueTest, ClosedPeerFails) {
    closeReader();
    WriteQueue queue;
    queue.push(bytes("late"));
    std::size_t written = 0;
    EXPECT_EQ(queue.writeTo(writer(), written), WriteQueue::Result::Failed);
    EXPECT_EQ(written, 0u);
}

// An idle connection holds no queue storage: it is freed as soon as the last byte is written, and a
// queue blocked mid-way keeps what it still has to write.
TEST_F(WriteQueueTest, ADrainedQueueHoldsNoStorage) {
    WriteQueue queue;
    EXPECT_FALSE(queue.holdsStorage());
    queue.push(bytes("one"));
    queue.push(bytes("two"));
    EXPECT_TRUE(queue.holdsStorage());
    std::size_t written = 0;
    ASSERT_EQ(queue.writeTo(writer(), written), WriteQueue::Result::Flushed);
    EXPECT_FALSE(queue.holdsStorage());
    queue.push(bytes("three"));
    ASSERT_EQ(queue.writeTo(writer(), written), WriteQueue::Result::Flushed);
    EXPECT_FALSE(queue.holdsStorage());
    EXPECT_EQ(readAvailable(), "onetwothree");

    for (int i = 0; i < 40; ++i) queue.push(bytes(std::string(1000, 'b')));
    ASSERT_EQ(queue.writeTo(writer(), written), WriteQueue::Result::Blocked);
    EXPECT_TRUE(queue.holdsStorage());
}

}  // namespace
}  // namespace resound::httpserver
