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
