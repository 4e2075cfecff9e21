// The one reconnect back-off (redis/ReconnectBackoff.h) every Redis client uses.
#include <gtest/gtest.h>

#include "monitor/ClusterPoller.h"
#include "redis/ConnectionOptions.h"
#include "redis/ReconnectBackoff.h"

namespace resound::redis {
namespace {

using std::chrono::milliseconds;

TEST(ReconnectBackoff, DoublesFromInitialUpToMaxWithHalfToFullJitter) {
    const BackoffPolicy policy{milliseconds(100), milliseconds(2000)};
    EXPECT_EQ(ReconnectBackoff::delay(1, policy, 1.0), milliseconds(100));
    EXPECT_EQ(ReconnectBackoff::delay(2, policy, 1.0), milliseconds(200));
    EXPECT_EQ(ReconnectBackoff::delay(5, policy, 1.0), milliseconds(1600));
    EXPECT_EQ(ReconnectBackoff::delay(6, policy, 1.0), milliseconds(2000));
    EXPECT_EQ(ReconnectBackoff::delay(1000, policy, 1.0), milliseconds(2000));  // no overflow
    EXPECT_EQ(ReconnectBackoff::delay(6, policy, 0.0), milliseconds(1000));
    EXPECT_EQ(ReconnectBackoff::delay(1, {milliseconds(1), milliseconds(1)}, 0.0),
              milliseconds(1));  // >= 1 ms
}

TEST(ReconnectBackoff, NextCountsFailuresAndResetStartsOver) {
    ReconnectBackoff backoff;
    for (int i = 1; i <= 8; ++i) {
        const auto wait = backoff.next();
        const auto full = ReconnectBackoff::delay(static_cast<std::uint64_t>(i), {}, 1.0);
        EXPECT_LE(wait, full) << i;
        EXPECT_GE(wait, full / 2) << i;
    }
    EXPECT_EQ(backoff.failuresInARow(), 8u);
    EXPECT_LE(backoff.next(), milliseconds(2000));
    backoff.reset();
    EXPECT_EQ(backoff.failuresInARow(), 0u);
    EXPECT_LE(backoff.next(), milliseconds(100));
}

TEST(ReconnectBackoff, EveryClientStartsFromTheSamePolicy) {
    const BackoffPolicy policy;
    const ConnectionOptions edge;  // CommandClient, Subscriber
    EXPECT_EQ(edge.backoff().initial, policy.initial);
    EXPECT_EQ(edge.backoff().max, policy.max);
    const monitor::ClusterPoller::Options poller;
    EXPECT_EQ(poller.backoffMin, policy.initial);
    EXPECT_EQ(poller.backoffMax, policy.max);
    EXPECT_EQ(monitor::ClusterPoller::backoff(3, poller, 0.5), ReconnectBackoff::delay(3, policy, 0.5));
}

}  // namespace
}  // namespace resound::redis
