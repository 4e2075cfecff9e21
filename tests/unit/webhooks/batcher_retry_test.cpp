// Batching windows and the retry schedule: pure logic driven by explicit time points.
#include <gtest/gtest.h>

#include "webhooks/Batcher.h"
#include "webhooks/RetrySchedule.h"

namespace resound::webhooks {
namespace {

using std::chrono::milliseconds;
const Batcher::TimePoint t0{};

OutgoingEvent ev(std::string json) {
    return OutgoingEvent{std::move(json), {}, "c", 0, nullptr, "channel_occupied"};
}

std::vector<std::string> jsons(const std::vector<OutgoingEvent>& batch) {
    std::vector<std::string> out;
    for (const auto& e : batch) out.push_back(e.json);
    return out;
}

TEST(Batcher, WithoutAWindowEveryEventIsItsOwnRequest) {
    Batcher batcher(milliseconds(0), 100);
    batcher.add(ev("a"), t0);
    batcher.add(ev("b"), t0);
    std::vector<OutgoingEvent> batch;
    ASSERT_TRUE(batcher.takeReady(t0, batch));
    EXPECT_EQ(jsons(batch), (std::vector<std::string>{"a"}));
    ASSERT_TRUE(batcher.takeReady(t0, batch));
    EXPECT_EQ(jsons(batch), (std::vector<std::string>{"b"}));
    EXPECT_FALSE(batcher.takeReady(t0, batch));
    EXPECT_FALSE(batcher.nextDue());
}

TEST(Batcher, AWindowCollectsEventsUntilItEnds) {
    Batcher batcher(milliseconds(50), 100);
    batcher.add(ev("a"), t0);
    batcher.add(ev("b"), t0 + milliseconds(20));
    std::vector<OutgoingEvent> batch;
    EXPECT_FALSE(batcher.takeReady(t0 + milliseconds(49), batch));
    EXPECT_EQ(batcher.nextDue(), t0 + milliseconds(50));
    ASSERT_TRUE(batcher.takeReady(t0 + milliseconds(50), batch));
    EXPECT_EQ(jsons(batch), (std::vector<std::string>{"a", "b"}));
    // The next window starts with the next event.
    batcher.add(ev("c"), t0 + milliseconds(70));
    EXPECT_FALSE(batcher.takeReady(t0 + milliseconds(100), batch));
    ASSERT_TRUE(batcher.takeReady(t0 + milliseconds(120), batch));
    EXPECT_EQ(jsons(batch), (std::vector<std::string>{"c"}));
}

TEST(Batcher, AFullBatchGoesBeforeTheWindowEnds) {
    Batcher batcher(milliseconds(1000), 2);
    batcher.add(ev("a"), t0);
    batcher.add(ev("b"), t0);
    batcher.add(ev("c"), t0);
    EXPECT_EQ(batcher.nextDue(), t0);
    std::vector<OutgoingEvent> batch;
    ASSERT_TRUE(batcher.takeReady(t0, batch));
    EXPECT_EQ(batch.size(), 2u);
    EXPECT_FALSE(batcher.takeReady(t0, batch));
    std::vector<std::vector<OutgoingEvent>> rest;
    batcher.takeAll(rest);
    ASSERT_EQ(rest.size(), 1u);
    EXPECT_EQ(jsons(rest[0]), (std::vector<std::string>{"c"}));
}

TEST(RetrySchedule, DoublesFromTheInitialDelayUpToTheCap) {
    const RetryPolicy policy{milliseconds(1000), milliseconds(60000), milliseconds(300000)};
    EXPECT_EQ(nextRetryDelay(policy, 1, milliseconds(0)), milliseconds(1000));
    EXPECT_EQ(nextRetryDelay(policy, 2, milliseconds(1000)), milliseconds(2000));
    EXPECT_EQ(nextRetryDelay(policy, 3, milliseconds(3000)), milliseconds(4000));
    EXPECT_EQ(nextRetryDelay(policy, 7, milliseconds(63000)), milliseconds(60000));
    EXPECT_EQ(nextRetryDelay(policy, 60, milliseconds(100000)), milliseconds(60000));  // no overflow
}

TEST(RetrySchedule, GivesUpWhenTheNextAttemptWouldLeaveTheWindow) {
    const RetryPolicy policy{milliseconds(1000), milliseconds(60000), milliseconds(300000)};
    EXPECT_EQ(nextRetryDelay(policy, 9, milliseconds(240000)), milliseconds(60000));
    EXPECT_FALSE(nextRetryDelay(policy, 10, milliseconds(241000)));
    // Pusher's 5 minutes: every attempt starts within the window, and the schedule ends.
    milliseconds elapsed{0};
    int attempts = 1;
    while (auto delay = nextRetryDelay(policy, attempts, elapsed)) {
        elapsed += *delay;
        ++attempts;
        ASSERT_LE(elapsed, milliseconds(300000));
        ASSERT_LT(attempts, 100);
    }
    EXPECT_EQ(attempts, 10);  // 0, 1, 3, 7, 15, 31, 63, 123, 183, 243 s
}

TEST(RetrySchedule, ZeroWindowMeansASingleAttempt) {
    EXPECT_FALSE(nextRetryDelay(RetryPolicy{milliseconds(1000), milliseconds(60000), milliseconds(0)}, 1,
                                milliseconds(0)));
}

}  // namespace
}  // namespace resound::webhooks
