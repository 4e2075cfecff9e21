#include <gtest/gtest.h>

#include "http/RequestBytes.h"
#include "http/RequestParser.h"

namespace resound::http {
namespace {

Request parse(const std::string& bytes) {
    RequestParser parser({.maxHeaderBytes = 8192, .maxBodyBytes = 8192});
    std::size_t consumed = 0;
    const auto result = parser.feed(bytes.data(), bytes.size(), consumed);
    EXPECT_EQ(result, RequestParser::Status::Complete);
    return parser.request();
}

TEST(RequestBytes, ParseAgainGivesTheSameRequest) {
    const Request original = parse(
        "POST /dashboard/api/publish?x=1 HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nX-Y: z\r\n\r\n"
        "5\r\nhello\r\n0\r\n\r\n");
    const std::string bytes = requestBytes(original);
    EXPECT_EQ(bytes.find("transfer-encoding"), std::string::npos);
    EXPECT_NE(bytes.find("content-length: 5\r\n"), std::string::npos);
    const Request again = parse(bytes);
    EXPECT_EQ(again.method, "POST");
    EXPECT_EQ(again.target, "/dashboard/api/publish?x=1");
    EXPECT_EQ(again.body, "hello");
    ASSERT_NE(again.header("x-y"), nullptr);
    EXPECT_EQ(*again.header("x-y"), "z");
}

TEST(RequestBytes, ABodylessGetHasNoLength) {
    const std::string bytes =
        requestBytes(parse("GET /dashboard HTTP/1.0\r\nAuthorization: Basic x\r\n\r\n"));
    EXPECT_EQ(bytes, "GET /dashboard HTTP/1.0\r\nauthorization: Basic x\r\n\r\n");
}

}  // namespace
}  // namespace resound::http
