// The leave grace period: quick leave/rejoin pairs vanish, real leaves come out after the grace.
#include <gtest/gtest.h>

#include "WebhookTestSupport.h"
#include "webhooks/GracePeriodFilter.h"

namespace resound::webhooks::test {
namespace {

using Kind = WebhookEvent::Kind;
using std::chrono::milliseconds;
const GracePeriodFilter::TimePoint t0{};
constexpr milliseconds kGrace{3000};

AppEvent appEvent(std::size_t app, Kind kind, std::string channel, std::string user = {}) {
    return AppEvent{app, event(kind, std::move(channel), std::move(user)), nullptr};
}

TEST(GracePeriodFilter, JoinsAndOtherEventsPassThrough) {
    GracePeriodFilter filter;
    EXPECT_TRUE(filter.offer(appEvent(0, Kind::ChannelOccupied, "a"), kGrace, t0));
    EXPECT_TRUE(filter.offer(appEvent(0, Kind::MemberAdded, "presence-a", "1"), kGrace, t0));
    EXPECT_TRUE(filter.offer(appEvent(0, Kind::ClientEvent, "private-a"), kGrace, t0));
    EXPECT_TRUE(filter.offer(appEvent(0, Kind::CacheMiss, "cache-a"), kGrace, t0));
    EXPECT_TRUE(filter.offer(appEvent(0, Kind::SubscriptionCount, "a"), kGrace, t0));
    EXPECT_EQ(filter.heldCount(), 0u);
}

TEST(GracePeriodFilter, QuickUnsubscribeResubscribeProducesNothing) {
    GracePeriodFilter filter;
    EXPECT_FALSE(filter.offer(appEvent(0, Kind::ChannelVacated, "a"), kGrace, t0));
    EXPECT_FALSE(filter.offer(appEvent(0, Kind::ChannelOccupied, "a"), kGrace, t0 + milliseconds(500)));
    std::vector<AppEvent> out;
    filter.releaseDue(t0 + milliseconds(10000), out);
    EXPECT_TRUE(out.empty());
    EXPECT_EQ(filter.cancelledPairs(), 1u);
    EXPECT_FALSE(filter.nextDue());
}

TEST(GracePeriodFilter, RealLeaveIsReleasedAfterTheGrace) {
    GracePeriodFilter filter;
    EXPECT_FALSE(filter.offer(appEvent(0, Kind::ChannelVacated, "a"), kGrace, t0));
    EXPECT_EQ(filter.nextDue(), t0 + kGrace);
    std::vector<AppEvent> out;
    filter.releaseDue(t0 + kGrace - milliseconds(1), out);
    EXPECT_TRUE(out.empty());
    filter.releaseDue(t0 + kGrace, out);
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].event.kind, Kind::ChannelVacated);
    EXPECT_EQ(out[0].event.channel, "a");
    // A later join is a real join again.
    EXPECT_TRUE(filter.offer(appEvent(0, Kind::ChannelOccupied, "a"), kGrace, t0 + milliseconds(4000)));
}

TEST(GracePeriodFilter, MemberRejoinCancelsOnlyThatUser) {
    GracePeriodFilter filter;
    EXPECT_FALSE(filter.offer(appEvent(0, Kind::MemberRemoved, "presence-a", "1"), kGrace, t0));
    EXPECT_FALSE(filter.offer(appEvent(0, Kind::MemberRemoved, "presence-a", "2"), kGrace, t0));
    EXPECT_FALSE(
        filter.offer(appEvent(0, Kind::MemberAdded, "presence-a", "1"), kGrace, t0 + milliseconds(100)));
    std::vector<AppEvent> out;
    filter.releaseDue(t0 + kGrace, out);
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].event.userId, "2");
}

TEST(GracePeriodFilter, PageReloadOnPresenceCancelsBothPairs) {
    GracePeriodFilter filter;
    EXPECT_FALSE(filter.offer(appEvent(0, Kind::ChannelVacated, "presence-a"), kGrace, t0));
    EXPECT_FALSE(filter.offer(appEvent(0, Kind::MemberRemoved, "presence-a", "1"), kGrace, t0));
    EXPECT_FALSE(
        filter.offer(appEvent(0, Kind::ChannelOccupied, "presence-a"), kGrace, t0 + milliseconds(300)));
    EXPECT_FALSE(
        filter.offer(appEvent(0, Kind::MemberAdded, "presence-a", "1"), kGrace, t0 + milliseconds(300)));
    EXPECT_EQ(filter.heldCount(), 0u);
    EXPECT_EQ(filter.cancelledPairs(), 2u);
}

TEST(GracePeriodFilter, AppsAndChannelsAreKeptApart) {
    GracePeriodFilter filter;
    EXPECT_FALSE(filter.offer(appEvent(0, Kind::ChannelVacated, "a"), kGrace, t0));
    EXPECT_TRUE(filter.offer(appEvent(1, Kind::ChannelOccupied, "a"), kGrace, t0));  // other app
    EXPECT_TRUE(filter.offer(appEvent(0, Kind::ChannelOccupied, "b"), kGrace, t0));  // other channel
    // A member join on the channel does not cancel the channel's vacate.
    EXPECT_TRUE(filter.offer(appEvent(0, Kind::MemberAdded, "a", "1"), kGrace, t0));
    EXPECT_EQ(filter.heldCount(), 1u);
}

TEST(GracePeriodFilter, ReleasesInDueOrderWithPerAppGraces) {
    GracePeriodFilter filter;
    EXPECT_FALSE(filter.offer(appEvent(0, Kind::ChannelVacated, "slow"), milliseconds(3000), t0));
    EXPECT_FALSE(
        filter.offer(appEvent(1, Kind::ChannelVacated, "fast"), milliseconds(100), t0 + milliseconds(10)));
    EXPECT_EQ(filter.nextDue(), t0 + milliseconds(110));
    std::vector<AppEvent> out;
    filter.releaseDue(t0 + milliseconds(5000), out);
    ASSERT_EQ(out.size(), 2u);
    EXPECT_EQ(out[0].event.channel, "fast");
    EXPECT_EQ(out[1].event.channel, "slow");
}

TEST(GracePeriodFilter, ZeroGracePassesLeavesAtOnce) {
    GracePeriodFilter filter;
    EXPECT_TRUE(filter.offer(appEvent(0, Kind::ChannelVacated, "a"), milliseconds(0), t0));
    EXPECT_TRUE(filter.offer(appEvent(0, Kind::ChannelOccupied, "a"), milliseconds(0), t0));
}

TEST(GracePeriodFilter, ReleaseAllEmptiesTheFilter) {
    GracePeriodFilter filter;
    filter.offer(appEvent(0, Kind::ChannelVacated, "a"), kGrace, t0);
    filter.offer(appEvent(0, Kind::MemberRemoved, "a", "1"), kGrace, t0);
    std::vector<AppEvent> out;
    filter.releaseAll(out);
    EXPECT_EQ(out.size(), 2u);
    EXPECT_EQ(filter.heldCount(), 0u);
    EXPECT_FALSE(filter.nextDue());
}

}  // namespace
}  // namespace resound::webhooks::test
