// Regression tests from fuzzing (fuzz/targets/api_body_fuzz.cpp, input
// fuzz/regressions/api_body/invalid-utf8-app-id-in-404): error bodies quote parts of the request, and
// must stay valid JSON, which means valid UTF-8 (RFC 8259 section 8.1), whatever bytes the request held
// and wherever a long value is cut.
#include <Poco/JSON/Parser.h>
#include <gtest/gtest.h>

#include <string>

#include "ApiTestSupport.h"
#include "websocket/Utf8Validator.h"

using namespace resound;
using namespace resound::api::test;

namespace {

void expectJsonBody(const api::ApiResponse& response) {
    EXPECT_TRUE(ws::Utf8Validator::isValid(response.body)) << "not UTF-8: " << response.body;
    try {
        Poco::JSON::Parser parser;
        parser.parse(response.body);
    } catch (const Poco::Exception& e) {
        ADD_FAILURE() << "not JSON (" << e.displayText() << "): " << response.body;
    }
}

std::string repeat(const std::string& piece, int times) {
    std::string out;
    for (int i = 0; i < times; ++i) out += piece;
    return out;
}

}  // namespace

class ErrorBodyUtf8 : public ApiFixture {};

// The fuzzer's input: a percent-decoded app id holding a byte that is not UTF-8.
TEST_F(ErrorBodyUtf8, UnknownAppIdWithInvalidUtf8) {
    http::Request request = signedRequest("GET", "/apps/%E6uzz/channels");
    const auto response = call(request);
    EXPECT_EQ(response.status, 404);
    expectJsonBody(response);
}

// Raw (not percent-encoded) bytes >= 0x80 in the path reach the 404 message as they are.
TEST_F(ErrorBodyUtf8, UnknownPathWithRawInvalidBytes) {
    http::Request request = signedRequest("GET", "/apps/3/\xff\xfe");
    const auto response = call(request);
    EXPECT_EQ(response.status, 404);
    expectJsonBody(response);
}

// Valid UTF-8 in, invalid out: the 80-byte cut of the path lands inside a two-byte character.
TEST_F(ErrorBodyUtf8, LongMultibytePathIsCutOnACharacterBoundary) {
    http::Request request = signedRequest("GET", "/apps/3/x" + repeat("\xc3\xa9", 50));  // "é" x 50
    const auto response = call(request);
    EXPECT_EQ(response.status, 404);
    expectJsonBody(response);
}

// The same for the 60-byte cut of a channel name quoted in a 400.
TEST_F(ErrorBodyUtf8, LongMultibyteChannelNameIsCutOnACharacterBoundary) {
    const std::string channel = "a" + repeat("\xc3\xa9", 40);
    const auto response =
        post("/apps/3/events", R"({"name":"e","channels":[")" + channel + R"("],"data":"x"})");
    EXPECT_EQ(response.status, 400);
    expectJsonBody(response);
}
