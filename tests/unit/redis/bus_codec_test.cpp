// BusCodec: round trips (binary-safe), and rejection of truncated or unknown payloads.
#include <gtest/gtest.h>

#include "redis/BusCodec.h"
#include "redis/KeySchema.h"

namespace resound::redis {
namespace {

bus::BusMessage sample() {
    bus::BusMessage m;
    m.kind = bus::BusMessage::Kind::ChannelEvent;
    m.appId = "app-1";
    m.channel = "presence-room";
    m.userId = std::string(300, 'u');  // a length over one LEB128 byte
    m.exceptSocketId = "123.456";
    m.frame = std::make_shared<const std::string>(std::string("\x81\x05\0\r\n\xff!", 7));
    return m;
}

TEST(BusCodec, RoundTripIsBinarySafe) {
    const auto original = sample();
    std::string payload;
    encodeBusMessage(original, payload);
    auto decoded = decodeBusMessage(std::string(payload));
    ASSERT_TRUE(decoded);
    EXPECT_EQ(decoded->kind, original.kind);
    EXPECT_EQ(decoded->appId, original.appId);
    EXPECT_EQ(decoded->channel, original.channel);
    EXPECT_EQ(decoded->userId, original.userId);
    EXPECT_EQ(decoded->exceptSocketId, original.exceptSocketId);
    ASSERT_TRUE(decoded->frame);
    EXPECT_EQ(*decoded->frame, *original.frame);
}

TEST(BusCodec, TerminateUserWithoutFrame) {
    bus::BusMessage m;
    m.kind = bus::BusMessage::Kind::TerminateUser;
    m.appId = "a";
    m.userId = "42";
    std::string payload;
    encodeBusMessage(m, payload);
    auto decoded = decodeBusMessage(std::move(payload));
    ASSERT_TRUE(decoded);
    EXPECT_EQ(decoded->kind, bus::BusMessage::Kind::TerminateUser);
    EXPECT_EQ(decoded->userId, "42");
    EXPECT_FALSE(decoded->frame);
}

TEST(BusCodec, ChannelEventsTravelOnTheirChannelsTopicAndTerminationsOnTheAppsControlTopic) {
    std::string topic = "left over";
    assignTopicOf(sample(), topic);
    EXPECT_EQ(topic, keys::channelTopic("app-1", "presence-room"));
    bus::BusMessage terminate;
    terminate.kind = bus::BusMessage::Kind::TerminateUser;
    terminate.appId = "app-1";
    terminate.channel = "ignored";
    assignTopicOf(terminate, topic);
    EXPECT_EQ(topic, keys::controlTopic("app-1"));
    EXPECT_NE(keys::controlTopic("app-1"), keys::channelTopic("app-1", "ignored"));
}

TEST(BusCodec, EveryTruncationIsRejectedOrFrameShortened) {
    std::string payload;
    encodeBusMessage(sample(), payload);
    const std::size_t frameStart = payload.size() - 7;
    for (std::size_t n = 0; n < frameStart; ++n) {
        EXPECT_FALSE(decodeBusMessage(payload.substr(0, n))) << n;
    }
}

TEST(BusCodec, UnknownVersionKindOrFlagsAreRejected) {
    std::string payload;
    encodeBusMessage(sample(), payload);
    for (std::size_t byte : {0u, 1u, 2u}) {
        std::string bad = payload;
        bad[byte] = static_cast<char>(0x7f);
        EXPECT_FALSE(decodeBusMessage(std::move(bad))) << byte;
    }
}

}  // namespace
}  // namespace resound::redis
