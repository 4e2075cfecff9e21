#include <gtest/gtest.h>

#include <string>

#include "pusher/ChannelName.h"

using namespace resound::pusher;

TEST(ChannelName, KindByPrefix) {
    EXPECT_EQ(kindOf("my-channel"), ChannelKind::Public);
    EXPECT_EQ(kindOf("private-chat.1"), ChannelKind::Private);
    EXPECT_EQ(kindOf("private-encrypted-chat"), ChannelKind::PrivateEncrypted);
    EXPECT_EQ(kindOf("presence-room"), ChannelKind::Presence);
    EXPECT_EQ(kindOf("#server-to-user-42"), ChannelKind::ServerToUser);
    // Prefixes are exact: no Reverb-style "private" without the dash, no soketi-style substring match.
    EXPECT_EQ(kindOf("privatechat"), ChannelKind::Public);
    EXPECT_EQ(kindOf("presencex"), ChannelKind::Public);
    EXPECT_EQ(kindOf("public-private-x"), ChannelKind::Public);
    EXPECT_EQ(kindOf("Private-x"), ChannelKind::Public);
}

TEST(ChannelName, CacheVariantsKeepTheirBaseKind) {
    EXPECT_EQ(kindOf("cache-price"), ChannelKind::Public);
    EXPECT_EQ(kindOf("private-cache-price"), ChannelKind::Private);
    EXPECT_EQ(kindOf("private-encrypted-cache-price"), ChannelKind::PrivateEncrypted);
    EXPECT_EQ(kindOf("presence-cache-room"), ChannelKind::Presence);
    for (const char* name :
         {"cache-price", "private-cache-price", "private-encrypted-cache-price", "presence-cache-room"}) {
        EXPECT_TRUE(isCacheChannel(name)) << name;
    }
    for (const char* name : {"price-cache-x", "private-price", "cachex", "private-encrypted-x", "presence-x",
                             "#server-to-user-cache-1"}) {
        EXPECT_FALSE(isCacheChannel(name)) << name;
    }
}

TEST(ChannelName, ValidCharacters) {
    EXPECT_TRUE(isValidChannelName("a"));
    EXPECT_TRUE(isValidChannelName("private-App.Models.User.1"));
    EXPECT_TRUE(isValidChannelName("AZaz09_-=@,.;"));
    for (const char* bad : {"", "with space", "slash/x", "colon:x", "star*", "hash#x", "plus+x", "tab\tx",
                            "quote\"x", "utf8-\xC3\xA9"}) {
        EXPECT_FALSE(isValidChannelName(bad)) << bad;
    }
    EXPECT_FALSE(isValidChannelName(std::string("nul\0x", 5)));
}

TEST(ChannelName, LengthLimitIs200) {
    EXPECT_TRUE(isValidChannelName(std::string(200, 'a')));
    EXPECT_FALSE(isValidChannelName(std::string(201, 'a')));
}

TEST(ChannelName, HashOnlyForServerToUser) {
    EXPECT_TRUE(isValidChannelName("#server-to-user-42"));
    EXPECT_TRUE(isValidChannelName("#server-to-user-someone@example.com"));
    EXPECT_FALSE(isValidChannelName("#server-to-user-"));
    EXPECT_FALSE(isValidChannelName("#server-to-user-a b"));
    EXPECT_FALSE(isValidChannelName("#other"));
    EXPECT_FALSE(isValidChannelName("#"));
    EXPECT_FALSE(isValidChannelName("x#server-to-user-1"));
}

TEST(ChannelName, ServerToUserId) {
    EXPECT_EQ(serverToUserId("#server-to-user-42"), std::optional<std::string_view>("42"));
    EXPECT_FALSE(serverToUserId("#server-to-user-").has_value());
    EXPECT_FALSE(serverToUserId("server-to-user-42").has_value());
    EXPECT_FALSE(serverToUserId("private-42").has_value());
}
