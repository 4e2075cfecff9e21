// Client messages are read with json::readJson, the reader of the HTTP API's bodies: the fields the
// protocol needs, data re-serialised compactly with numbers as sent, strict RFC 8259.
#include <gtest/gtest.h>

#include <string>

#include "pusher/ClientMessage.h"

using namespace resound::pusher;

TEST(ClientMessage, SubscribeFieldsComeFromData) {
    const auto parsed = parseClientMessage(
        R"({"event":"pusher:subscribe","data":{"channel":"presence-room","auth":"k:s","channel_data":"{\"user_id\":7}"}})");
    ASSERT_TRUE(parsed.message) << parsed.error;
    EXPECT_EQ(parsed.message->event, "pusher:subscribe");
    EXPECT_EQ(parsed.message->dataChannel, "presence-room");
    EXPECT_EQ(parsed.message->auth, "k:s");
    EXPECT_EQ(parsed.message->channelData, R"({"user_id":7})");  // the exact signed text
}

TEST(ClientMessage, DataGivenAsAStringHoldingAnObjectIsReadToo) {
    const auto parsed = parseClientMessage(R"({"event":"pusher:subscribe","data":"{\"channel\":\"news\"}"})");
    ASSERT_TRUE(parsed.message);
    EXPECT_EQ(parsed.message->dataChannel, "news");
    EXPECT_EQ(parsed.message->dataJson, R"("{\"channel\":\"news\"}")");
    const auto plain = parseClientMessage(R"({"event":"client-x","channel":"private-a","data":"just text"})");
    ASSERT_TRUE(plain.message);
    EXPECT_EQ(plain.message->dataJson, R"("just text")");
    EXPECT_EQ(plain.message->dataChannel, "");
}

TEST(ClientMessage, WhisperDataIsCompactWithNumbersAsSent) {
    const auto parsed = parseClientMessage(
        "{ \"event\" : \"client-typing\", \"channel\" : \"private-chat\",\n"
        "  \"data\" : { \"typing\" : true, \"n\" : 1.50, \"e\" : 1e3, \"list\" : [ 1, null, \"\\u00e9\" ] } "
        "}");
    ASSERT_TRUE(parsed.message) << parsed.error;
    EXPECT_EQ(parsed.message->channel, "private-chat");
    EXPECT_EQ(parsed.message->dataJson, R"({"typing":true,"n":1.50,"e":1e3,"list":[1,null,"é"]})");
}

TEST(ClientMessage, DuplicateMembersTakeTheLastValue) {
    const auto parsed = parseClientMessage(R"({"event":"a","event":"client-b","data":{"x":1,"x":2}})");
    ASSERT_TRUE(parsed.message);
    EXPECT_EQ(parsed.message->event, "client-b");
    EXPECT_EQ(parsed.message->dataJson, R"({"x":2})");
}

TEST(ClientMessage, StrictJsonAndShapeErrors) {
    for (const char* text :
         {"{not json", R"({"event":"x"} trailing)", R"({"event":"x",})", R"({"event":"x" /* c */})",
          R"({"event":"x","data":NaN})", R"({"event":"\ud800"})"}) {
        const auto parsed = parseClientMessage(text);
        EXPECT_FALSE(parsed.message) << text;
        EXPECT_EQ(parsed.error.rfind("Invalid JSON: ", 0), 0u) << text << " -> " << parsed.error;
    }
    EXPECT_EQ(parseClientMessage("[1]").error, "Message must be a JSON object");
    EXPECT_EQ(parseClientMessage(R"({"event":5})").error, "Message has no \"event\" string");
    EXPECT_EQ(parseClientMessage(R"({"event":""})").error, "Message has no \"event\" string");
}

TEST(ClientMessage, PresenceDataKeepsUserIdAsSent) {
    std::string error;
    auto number = parsePresenceData(R"({"user_id":42,"user_info":{"name":"Ann","n":1.50}})", error);
    ASSERT_TRUE(number);
    EXPECT_EQ(number->userKey, "42");
    EXPECT_EQ(number->idJson, "42");
    EXPECT_EQ(number->infoJson, R"({"name":"Ann","n":1.50})");
    auto text = parsePresenceData(R"({"user_id":"u-1"})", error);
    ASSERT_TRUE(text);
    EXPECT_EQ(text->userKey, "u-1");
    EXPECT_EQ(text->idJson, R"("u-1")");
    EXPECT_EQ(text->infoJson, "null");
    EXPECT_FALSE(parsePresenceData(R"({"user_id":true})", error));
    EXPECT_EQ(error, "user_id must be a string or a number");
    EXPECT_FALSE(parsePresenceData(R"({"user_id":""})", error));
    EXPECT_FALSE(parsePresenceData(R"({"no":1})", error));
    EXPECT_EQ(error, "channel_data has no user_id");
    EXPECT_FALSE(parsePresenceData("[]", error));
    EXPECT_EQ(error, "channel_data must be a JSON object");
}

TEST(ClientMessage, SigninUserIdMustBeANonEmptyString) {
    std::string error;
    EXPECT_EQ(parseSigninUserId(R"({"id":"42","user_info":{}})", error), "42");
    EXPECT_FALSE(parseSigninUserId(R"({"id":42})", error));
    EXPECT_FALSE(parseSigninUserId("nope", error));
    EXPECT_EQ(error, "user_data must be a JSON object");
}
