#include "edge/FlushQueue.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

using resound::edge::FlushQueue;

struct FakeConnection {
    std::string name;
    std::uint8_t flushMarks = 0;
};

std::vector<std::string> runAll(FlushQueue<FakeConnection>& queue) {
    std::vector<std::string> order;
    queue.run([&](FakeConnection& c) { order.push_back(c.name); }, [] { return false; });
    return order;
}

TEST(FlushQueue, UrgentItemsGoFirstThenFairOnesInArrivalOrder) {
    FlushQueue<FakeConnection> queue;
    FakeConnection a{"a"}, b{"b"}, http{"http"};
    queue.addFair(a);
    queue.addFair(b);
    queue.addUrgent(http);
    EXPECT_EQ(runAll(queue), (std::vector<std::string>{"http", "a", "b"}));
    EXPECT_FALSE(queue.fairPending());
    EXPECT_FALSE(FlushQueue<FakeConnection>::queued(a));
}

TEST(FlushQueue, AnItemIsQueuedOncePerListAndKeepsItsPlace) {
    FlushQueue<FakeConnection> queue;
    FakeConnection a{"a"}, b{"b"};
    queue.addFair(a);
    queue.addFair(b);
    queue.addFair(a);  // more messages for a: still one write, still first
    EXPECT_EQ(runAll(queue), (std::vector<std::string>{"a", "b"}));
}

TEST(FlushQueue, AnItemInBothListsIsFlushedFromEach) {
    // Flushing twice is harmless (the second finds nothing to write) and keeps the bookkeeping simple.
    FlushQueue<FakeConnection> queue;
    FakeConnection a{"a"};
    queue.addFair(a);
    queue.addUrgent(a);
    EXPECT_EQ(runAll(queue), (std::vector<std::string>{"a", "a"}));
    EXPECT_FALSE(FlushQueue<FakeConnection>::queued(a));
}

TEST(FlushQueue, OutOfTimeLeavesTheRestOfTheFifoForTheNextRun) {
    FlushQueue<FakeConnection> queue;
    const std::size_t step = FlushQueue<FakeConnection>::kItemsBetweenClockChecks;
    std::vector<FakeConnection> connections(step * 3);
    for (std::size_t i = 0; i < connections.size(); ++i) {
        connections[i].name = std::to_string(i);
        queue.addFair(connections[i]);
    }
    std::vector<std::string> first;
    bool more = queue.run([&](FakeConnection& c) { first.push_back(c.name); }, [] { return true; });
    EXPECT_TRUE(more);
    ASSERT_EQ(first.size(), step);  // at least one batch between clock checks
    EXPECT_EQ(first.front(), "0");
    EXPECT_TRUE(FlushQueue<FakeConnection>::queued(connections[step]));
    EXPECT_FALSE(FlushQueue<FakeConnection>::queued(connections[0]));

    // A connection flushed in the first slice that gets new bytes goes to the back of the FIFO.
    queue.addFair(connections[0]);
    FakeConnection urgent{"urgent"};
    queue.addUrgent(urgent);
    auto rest = runAll(queue);
    ASSERT_EQ(rest.size(), 1 + 2 * step + 1);
    EXPECT_EQ(rest.front(), "urgent");  // urgent answers never wait for the fan-out round
    EXPECT_EQ(rest[1], std::to_string(step));
    EXPECT_EQ(rest.back(), "0");
    EXPECT_FALSE(queue.fairPending());
}

TEST(FlushQueue, ItemsQueuedWhileFlushingAreNotForgotten) {
    FlushQueue<FakeConnection> queue;
    FakeConnection a{"a"}, b{"b"}, c{"c"};
    queue.addUrgent(a);
    queue.addFair(b);
    std::vector<std::string> order;
    bool more = queue.run(
        [&](FakeConnection& item) {
            order.push_back(item.name);
            if (item.name == "a") queue.addUrgent(c);  // flushed in the same urgent phase
            if (item.name == "b") queue.addUrgent(a);  // left for the next run, which must not wait
        },
        [] { return false; });
    EXPECT_EQ(order, (std::vector<std::string>{"a", "c", "b"}));
    EXPECT_TRUE(more);
    EXPECT_TRUE(queue.pending());
    EXPECT_EQ(runAll(queue), (std::vector<std::string>{"a"}));
    EXPECT_FALSE(queue.pending());
}

TEST(FlushQueue, StaysCorrectOverManyPartialRounds) {
    FlushQueue<FakeConnection> queue;
    std::vector<FakeConnection> connections(1000);
    std::vector<int> flushed(connections.size(), 0);
    for (std::size_t i = 0; i < connections.size(); ++i) connections[i].name = std::to_string(i);
    int checks = 0;
    for (int round = 0; round < 50; ++round) {
        for (std::size_t i = 0; i < connections.size(); i += 1 + round % 7) queue.addFair(connections[i]);
        queue.run([&](FakeConnection& c) { ++flushed[std::stoul(c.name)]; },
                  [&] { return ++checks % 3 == 0; });
    }
    while (queue.fairPending())
        queue.run([&](FakeConnection& c) { ++flushed[std::stoul(c.name)]; }, [] { return false; });
    for (auto& c : connections) EXPECT_FALSE(FlushQueue<FakeConnection>::queued(c));
    EXPECT_GT(flushed[0], 0);
}

}  // namespace
