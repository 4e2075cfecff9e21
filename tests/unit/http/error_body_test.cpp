#include "http/ErrorBody.h"

#include <gtest/gtest.h>

#include <Poco/JSON/Parser.h>

namespace resound::http {
namespace {

TEST(ErrorBody, CarriesMessageStatusAndReason) {
    EXPECT_EQ(errorBody(401, "Invalid signature", "invalid_signature"),
              R"({"error":"Invalid signature","code":401,"reason":"invalid_signature"})");
}

TEST(ErrorBody, ReasonDefaultsToTheStatusWord) {
    EXPECT_EQ(errorBody(404, "No such app"), R"({"error":"No such app","code":404,"reason":"not_found"})");
    EXPECT_EQ(errorBody(503, "Server is stopping"),
              R"({"error":"Server is stopping","code":503,"reason":"unavailable"})");
    EXPECT_EQ(defaultErrorReason(418), "error");
}

TEST(ErrorBody, ParserRefusalsTellTheRequestLimitFromTheEventLimit) {
    // Every server (edge, api, auth, monitor) answers its parser's refusals with these words.
    EXPECT_EQ(requestRefusalBody(413, "Request body too large"),
              R"({"error":"Request body too large","code":413,"reason":"body_too_large"})");
    EXPECT_EQ(errorBody(413, "Event data is 5000 bytes"),
              R"({"error":"Event data is 5000 bytes","code":413,"reason":"payload_too_large"})");
    EXPECT_EQ(requestRefusalBody(431, "Request header section too large"),
              R"({"error":"Request header section too large","code":431,"reason":"headers_too_large"})");
    EXPECT_EQ(requestRefusalBody(505, "x"),
              R"({"error":"x","code":505,"reason":"http_version_not_supported"})");
    EXPECT_EQ(requestRefusalBody(400, "Malformed Content-Length"),
              R"({"error":"Malformed Content-Length","code":400,"reason":"bad_request"})");
}

TEST(ErrorBody, IsValidJsonWhateverTheMessageHolds) {
    const std::string body = errorBody(400, "bad \"quote\" \\ and \x01 and \xff", "bad\"reason");
    Poco::JSON::Parser parser;
    const auto object = parser.parse(body).extract<Poco::JSON::Object::Ptr>();
    EXPECT_EQ(object->getValue<int>("code"), 400);
    EXPECT_EQ(object->getValue<std::string>("reason"), "bad\"reason");
    EXPECT_EQ(object->getValue<std::string>("error").substr(0, 11), "bad \"quote\"");
}

}  // namespace
}  // namespace resound::http
