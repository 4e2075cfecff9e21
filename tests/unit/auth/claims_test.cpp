// Token claims: app candidates, required and optional claims, time window with leeway, channel patterns.
#include <Poco/JSON/Parser.h>
#include <gtest/gtest.h>

#include "auth/ChannelPattern.h"
#include "auth/TokenClaims.h"

namespace resound::auth {
namespace {

constexpr std::int64_t kNow = 1'700'000'000;

Poco::JSON::Object::Ptr object(const std::string& text) {
    Poco::JSON::Parser parser;
    return parser.parse(text).extract<Poco::JSON::Object::Ptr>();
}

std::variant<TokenClaims, AuthFailure> read(const std::string& text, int leeway = 30) {
    return readClaims(*object(text), kNow, leeway);
}

std::string code(const std::variant<TokenClaims, AuthFailure>& result) {
    const auto* failure = std::get_if<AuthFailure>(&result);
    return failure ? failure->code : "<ok>";
}

TEST(TokenClaims, AppCandidatesFromAppAndAud) {
    EXPECT_EQ(appCandidates(*object(R"({"app":"a1","aud":"k1"})")), (std::vector<std::string>{"a1", "k1"}));
    EXPECT_EQ(appCandidates(*object(R"({"aud":["x","k2",3]})")), (std::vector<std::string>{"x", "k2", "3"}));
    EXPECT_EQ(appCandidates(*object(R"({"app":12345})")), (std::vector<std::string>{"12345"}));
    EXPECT_TRUE(appCandidates(*object(R"({"aud":{"x":1}})")).empty());
    EXPECT_TRUE(appCandidates(*object(R"({"sub":"1"})")).empty());
}

TEST(TokenClaims, ReadsEveryClaim) {
    const auto result = read(R"({"sub":"42","exp":1700000100,"iat":1700000000,"nbf":1699999990,
        "user_info":{"name":"Ada \"L\"","roles":["admin"]},"channels":["private-orders.42","presence-room.*"]})");
    ASSERT_EQ(code(result), "<ok>");
    const TokenClaims& claims = std::get<TokenClaims>(result);
    EXPECT_EQ(claims.subject, "42");
    EXPECT_EQ(claims.expiresAt, 1700000100);
    ASSERT_TRUE(claims.userInfoJson);
    EXPECT_EQ(object(*claims.userInfoJson)->getValue<std::string>("name"), "Ada \"L\"");
    EXPECT_EQ(claims.channelPatterns, (std::vector<std::string>{"private-orders.42", "presence-room.*"}));
}

TEST(TokenClaims, NumericSubjectBecomesText) {
    const auto result = read(R"({"sub":42,"exp":1700000100})");
    ASSERT_EQ(code(result), "<ok>");
    EXPECT_EQ(std::get<TokenClaims>(result).subject, "42");
    EXPECT_FALSE(std::get<TokenClaims>(result).userInfoJson);
    EXPECT_TRUE(std::get<TokenClaims>(result).channelPatterns.empty());
}

TEST(TokenClaims, ExpiryIsRequiredAndHasLeeway) {
    EXPECT_EQ(code(read(R"({"sub":"1"})")), "bad_claims");
    EXPECT_EQ(code(read(R"({"sub":"1","exp":"tomorrow"})")), "bad_claims");
    EXPECT_EQ(code(read(R"({"sub":"1","exp":1699999980})")), "<ok>");           // 20 s ago, leeway 30
    EXPECT_EQ(code(read(R"({"sub":"1","exp":1699999970})")), "token_expired");  // exactly the leeway
    EXPECT_EQ(code(read(R"({"sub":"1","exp":1699999999})", 0)), "token_expired");
    EXPECT_EQ(code(read(R"({"sub":"1","exp":1700000000.9})", 0)), "token_expired");
    EXPECT_EQ(code(read(R"({"sub":"1","exp":1700000001.5})", 0)), "<ok>");
}

TEST(TokenClaims, NotBeforeAndIssuedAtMayNotBeInTheFuture) {
    EXPECT_EQ(code(read(R"({"sub":"1","exp":1700000100,"nbf":1700000020})")), "<ok>");  // within leeway
    EXPECT_EQ(code(read(R"({"sub":"1","exp":1700000100,"nbf":1700000031})")), "token_not_yet_valid");
    EXPECT_EQ(code(read(R"({"sub":"1","exp":1700000100,"iat":1700000060})")), "token_not_yet_valid");
    EXPECT_EQ(code(read(R"({"sub":"1","exp":1700000100,"iat":null})")), "bad_claims");
    EXPECT_EQ(code(read(R"({"sub":"1","exp":true})")), "bad_claims");
}

TEST(TokenClaims, WrongTypesAreRefused) {
    EXPECT_EQ(code(read(R"({"exp":1700000100})")), "bad_claims");
    EXPECT_EQ(code(read(R"({"sub":"","exp":1700000100})")), "bad_claims");
    EXPECT_EQ(code(read(R"({"sub":true,"exp":1700000100})")), "bad_claims");
    EXPECT_EQ(code(read(R"({"sub":"1","exp":1700000100,"user_info":"Ada"})")), "bad_claims");
    EXPECT_EQ(code(read(R"({"sub":"1","exp":1700000100,"channels":"private-x"})")), "bad_claims");
    EXPECT_EQ(code(read(R"({"sub":"1","exp":1700000100,"channels":["private-x",1]})")), "bad_claims");
    EXPECT_EQ(code(read(R"({"sub":"1","exp":1700000100,"user_info":null})")), "<ok>");
}

TEST(ChannelPattern, WildcardMatchesAnyRun) {
    EXPECT_TRUE(channelMatches("private-orders.42", "private-orders.42"));
    EXPECT_FALSE(channelMatches("private-orders.42", "private-orders.420"));
    EXPECT_TRUE(channelMatches("presence-room.*", "presence-room.7"));
    EXPECT_TRUE(channelMatches("presence-room.*", "presence-room."));
    EXPECT_FALSE(channelMatches("presence-room.*", "presence-room"));
    EXPECT_TRUE(channelMatches("*", "private-anything"));
    EXPECT_TRUE(channelMatches("private-*.user.*", "private-a.b.user.9"));
    EXPECT_FALSE(channelMatches("private-*.user.*", "private-a.b.admin.9"));
    EXPECT_TRUE(channelMatches("*-encrypted-*", "private-encrypted-x"));
    EXPECT_TRUE(channelMatches("a**b", "ab"));
    EXPECT_FALSE(channelMatches("", "x"));
    EXPECT_FALSE(channelMatches("Private-x", "private-x"));  // case-sensitive, as channel names are
    const std::vector<std::string> patterns{"private-a", "presence-*"};
    EXPECT_TRUE(anyChannelMatches(patterns, "presence-z"));
    EXPECT_FALSE(anyChannelMatches(patterns, "private-b"));
    EXPECT_FALSE(anyChannelMatches({}, "private-a"));
}

}  // namespace
}  // namespace resound::auth
