// Regression test from fuzzing (fuzz/targets/pusher_message_fuzz.cpp with RESOUND_FUZZ_STRICT=1, input
// fuzz/regressions/pusher_message/invalid-json-error-quotes-half-a-character). The server answers a
// malformed message with pusher:error "Invalid message format: <error>" in a text frame. The message
// was valid UTF-8 (the frame decoder checked), so the error must be too: a browser fails the whole
// WebSocket (close 1006/1007) when a text frame from the server is not UTF-8. Poco's parser message
// quotes the single offending byte, which for a non-ASCII character is half of it.
#include <gtest/gtest.h>

#include <string>

#include "pusher/ClientMessage.h"
#include "websocket/Utf8Validator.h"

using namespace resound;

TEST(ClientMessageErrorUtf8, ErrorForNonAsciiValueIsValidUtf8) {
    const std::string text = "{\"a\":\xc3\xa9}";  // {"a":é}
    ASSERT_TRUE(ws::Utf8Validator::isValid(text));
    const pusher::ParseResult parsed = pusher::parseClientMessage(text);
    ASSERT_FALSE(parsed.message.has_value());
    EXPECT_TRUE(ws::Utf8Validator::isValid(parsed.error)) << parsed.error;
}

TEST(ClientMessageErrorUtf8, ErrorForNonAsciiAfterAValidPrefixIsValidUtf8) {
    const std::string text = "{\"event\":\"pusher:ping\",\"data\":\xe2\x82\xac}";  // ... "data":€}
    const pusher::ParseResult parsed = pusher::parseClientMessage(text);
    ASSERT_FALSE(parsed.message.has_value());
    EXPECT_TRUE(ws::Utf8Validator::isValid(parsed.error)) << parsed.error;
}

TEST(ClientMessageErrorUtf8, PresenceAndSigninErrorsAreValidUtf8) {
    std::string error;
    EXPECT_FALSE(pusher::parsePresenceData("{\"user_id\":\xc3\xa9}", error).has_value());
    EXPECT_TRUE(ws::Utf8Validator::isValid(error)) << error;
    error.clear();
    EXPECT_FALSE(pusher::parseSigninUserId("{\"id\":\xc3\xa9}", error).has_value());
    EXPECT_TRUE(ws::Utf8Validator::isValid(error)) << error;
}
