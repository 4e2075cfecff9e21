// /ready of scale-out processes: an edge is ready only once its pub/sub subscriptions are back.
#include <gtest/gtest.h>

#include "edge/ScaleOutReadiness.h"

namespace resound::edge {
namespace {

ScaleOutHealth allUp(bool servesWebSockets) {
    return {.commandsReachable = true,
            .stateRegistered = true,
            .servesWebSockets = servesWebSockets,
            .subscriberConfirmed = true};
}

TEST(ScaleOutReadiness, ReadyWhenEveryLinkIsUp) {
    EXPECT_EQ(scaleOutReadinessProblem(allUp(true)), std::nullopt);
    EXPECT_EQ(scaleOutReadinessProblem(allUp(false)), std::nullopt);
}

TEST(ScaleOutReadiness, UnreachableRedisComesFirst) {
    ScaleOutHealth health{};
    EXPECT_EQ(scaleOutReadinessProblem(health), "Redis is unreachable");
}

TEST(ScaleOutReadiness, UnregisteredStateIsNotReady) {
    ScaleOutHealth health = allUp(true);
    health.stateRegistered = false;
    EXPECT_EQ(scaleOutReadinessProblem(health), "cluster state not registered in Redis yet");
}

// The bug the cluster suite found: after a Redis restart the edge said ready while its subscriber was
// still in backoff, and the events published in that window never reached its clients.
TEST(ScaleOutReadiness, EdgeWaitsForItsSubscriptions) {
    ScaleOutHealth health = allUp(true);
    health.subscriberConfirmed = false;
    EXPECT_EQ(scaleOutReadinessProblem(health),
              "Redis pub/sub subscriptions not confirmed yet (resubscribing)");
}

TEST(ScaleOutReadiness, ApiDoesNotNeedTheSubscriber) {
    ScaleOutHealth health = allUp(false);
    health.subscriberConfirmed = false;
    EXPECT_EQ(scaleOutReadinessProblem(health), std::nullopt);
}

}  // namespace
}  // namespace resound::edge
