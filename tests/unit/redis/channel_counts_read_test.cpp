// ChannelCountsRead: the HGET + HLEN behind a channel's counts, and how their replies read — the one
// reading shared by RedisClusterState::channel and LoopClusterReads::channel (which LoopPublisher's
// `info` reads use).
#include "redis/ChannelCountsRead.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "redis/KeySchema.h"

namespace resound::redis {
namespace {

std::vector<std::string> words(std::span<const std::string_view> args) { return {args.begin(), args.end()}; }

TEST(ChannelCountsRead, AsksTheCountHashAndThePresenceHash) {
    const ChannelCountsRead read("app", "presence-room");
    EXPECT_EQ(words(read.subscriptionsCommand()),
              (std::vector<std::string>{"HGET", keys::channels("app"), "presence-room"}));
    EXPECT_EQ(words(read.usersCommand()),
              (std::vector<std::string>{"HLEN", keys::presence("app", "presence-room")}));
}

TEST(ChannelCountsRead, ReadsTheCounts) {
    const ChannelCountsRead read("app", "presence-room");
    const auto summary = read.summary(RespValue::bulk("3"), RespValue::number(2));
    ASSERT_TRUE(summary.has_value());
    EXPECT_EQ(summary->name, "presence-room");
    EXPECT_EQ(summary->subscriptionCount, 3u);
    EXPECT_EQ(summary->userCount, 2u);
}

TEST(ChannelCountsRead, NilZeroAndForeignValuesAreUnoccupied) {
    const ChannelCountsRead read("app", "room");
    EXPECT_FALSE(read.summary(RespValue{}, RespValue::number(0)).has_value()) << "nil: nobody holds it";
    EXPECT_FALSE(read.summary(RespValue::bulk("0"), RespValue::number(0)).has_value());
    EXPECT_FALSE(read.summary(RespValue::bulk("-1"), RespValue::number(0)).has_value());
    EXPECT_FALSE(read.summary(RespValue::bulk("three"), RespValue::number(0)).has_value());
}

TEST(ChannelCountsRead, AnErrorReplyIsStateUnavailable) {
    const ChannelCountsRead read("app", "room");
    EXPECT_THROW(read.summary(RespValue::error("WRONGTYPE x"), RespValue::number(0)),
                 state::StateUnavailable);
    EXPECT_THROW(read.summary(RespValue::bulk("1"), RespValue::error("WRONGTYPE x")),
                 state::StateUnavailable);
}

}  // namespace
}  // namespace resound::redis
