// The socket-id rule (pusher/SocketId.h), shared by the HTTP API, resound-auth and the edge.
#include <gtest/gtest.h>

#include <string>

#include "pusher/EventName.h"
#include "pusher/SocketId.h"

using namespace resound::pusher;

TEST(SocketId, FormatIsDigitsDotDigits) {
    EXPECT_TRUE(isValidSocketId("1.2"));
    EXPECT_TRUE(isValidSocketId("123456789.987654321"));
    EXPECT_TRUE(isValidSocketId("0.0"));
    for (const char* bad :
         {"", ".", "1.", ".1", "1.2.3", "abc", "-1.2", "1.-2", "1 .2", "1,2", "12", "+1.2", "1.2 ", "١.٢"}) {
        EXPECT_FALSE(isValidSocketId(bad)) << bad;
    }
}

TEST(SocketId, AtMost64Characters) {
    const std::string longest = std::string(31, '1') + "." + std::string(32, '2');
    ASSERT_EQ(longest.size(), kMaxSocketIdLength);
    EXPECT_TRUE(isValidSocketId(longest));
    EXPECT_FALSE(isValidSocketId(longest + "3"));
}

TEST(SocketId, ParseGivesBothHalvesOrNothing) {
    EXPECT_EQ(parseSocketId("123.456"), (SocketId{123, 456}));
    EXPECT_EQ(parseSocketId("4294967295.1"), (SocketId{4294967295u, 1}));
    EXPECT_EQ(parseSocketId("4294967296.1"), std::nullopt);  // valid format, but no id we issue
    EXPECT_EQ(parseSocketId("1.2.3"), std::nullopt);
    EXPECT_EQ(parseSocketId(""), std::nullopt);
}

TEST(SocketId, IssuedIdsAreValidAndInRange) {
    for (int i = 0; i < 1000; ++i) {
        const SocketId id = randomSocketId();
        EXPECT_GE(id.high, 1u);
        EXPECT_LE(id.high, 1'000'000'000u);
        EXPECT_GE(id.low, 1u);
        EXPECT_LE(id.low, 1'000'000'000u);
        const std::string text = toString(id);
        EXPECT_TRUE(isValidSocketId(text)) << text;
        EXPECT_EQ(parseSocketId(text), id);
    }
}

TEST(EventName, TwoHundredCharactersAtMost) {
    EXPECT_TRUE(eventNameWithinLimit(std::string(200, 'e')));
    EXPECT_FALSE(eventNameWithinLimit(std::string(201, 'e')));
}
