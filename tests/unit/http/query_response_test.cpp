#include <gtest/gtest.h>

#include "http/QueryString.h"
#include "http/Response.h"

using namespace resound::http;

TEST(QueryString, PercentDecode) {
    EXPECT_EQ(percentDecode("a%20b%2Fc%2f"), "a b/c/");
    EXPECT_EQ(percentDecode("a+b"), "a+b");
    EXPECT_EQ(percentDecode("a+b", true), "a b");
    EXPECT_EQ(percentDecode("%23server-to-user-1"), "#server-to-user-1");
    // Malformed escapes stay as they are.
    EXPECT_EQ(percentDecode("100%"), "100%");
    EXPECT_EQ(percentDecode("%4"), "%4");
    EXPECT_EQ(percentDecode("%zz%4g"), "%zz%4g");
    EXPECT_EQ(percentDecode("%00"), std::string("\0", 1));
}

TEST(QueryString, ParseQueryDecodesKeysAndValues) {
    const QueryParams params =
        parseQuery("auth_key=abc&info=user_count%2Csubscription_count&a+b=c+d&flag&&x=1=2");
    const QueryParams expected = {{"auth_key", "abc"},
                                  {"info", "user_count,subscription_count"},
                                  {"a b", "c d"},
                                  {"flag", ""},
                                  {"x", "1=2"}};
    EXPECT_EQ(params, expected);
    EXPECT_TRUE(parseQuery("").empty());
    EXPECT_TRUE(parseQuery("&&").empty());
    EXPECT_EQ(parseQuery("a=1&a=2"), (QueryParams{{"a", "1"}, {"a", "2"}}));
}

TEST(QueryString, PercentEncodeRoundTrips) {
    EXPECT_EQ(percentEncode("Az09-._~"), "Az09-._~");
    EXPECT_EQ(percentEncode("a b&c=d/#\xC3\xA9"), "a%20b%26c%3Dd%2F%23%C3%A9");
    const std::string weird = "x=1&y=+ %#\n";
    EXPECT_EQ(percentDecode(percentEncode(weird), true), weird);
}

TEST(Response, BuildsStatusHeadersAndBody) {
    EXPECT_EQ(buildResponse(200, "application/json", "{}", true),
              "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n"
              "Connection: keep-alive\r\n\r\n{}");
    EXPECT_EQ(buildResponse(405, "application/json", "{\"error\":\"x\"}", false, {{"Allow", "POST"}}),
              "HTTP/1.1 405 Method Not Allowed\r\nContent-Type: application/json\r\nContent-Length: 13\r\n"
              "Connection: close\r\nAllow: POST\r\n\r\n{\"error\":\"x\"}");
    EXPECT_EQ(buildResponse(204, "", "", true),
              "HTTP/1.1 204 No Content\r\nContent-Length: 0\r\nConnection: keep-alive\r\n\r\n");
}

TEST(Response, ReasonPhrases) {
    EXPECT_EQ(reasonPhrase(400), "Bad Request");
    EXPECT_EQ(reasonPhrase(401), "Unauthorized");
    EXPECT_EQ(reasonPhrase(404), "Not Found");
    EXPECT_EQ(reasonPhrase(413), "Content Too Large");
    EXPECT_EQ(reasonPhrase(431), "Request Header Fields Too Large");
    EXPECT_EQ(reasonPhrase(501), "Not Implemented");
    EXPECT_EQ(reasonPhrase(503), "Service Unavailable");
    EXPECT_EQ(reasonPhrase(505), "HTTP Version Not Supported");
    EXPECT_EQ(reasonPhrase(299), "Unknown");
}
