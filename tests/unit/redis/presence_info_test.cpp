// PresenceInfo: the per-user JSON stored in Redis decodes back to the exact id and info bytes.
#include <gtest/gtest.h>

#include "redis/PresenceInfo.h"

namespace resound::redis {
namespace {

void expectRoundTrip(const std::string& idJson, const std::string& infoJson) {
    const state::PresenceMember member{"key", idJson, infoJson};
    const std::string stored = encodePresenceInfo(member);
    const auto decoded = decodePresenceInfo("key", stored);
    ASSERT_TRUE(decoded) << stored;
    EXPECT_EQ(decoded->userKey, "key");
    EXPECT_EQ(decoded->idJson, idJson);
    EXPECT_EQ(decoded->infoJson, infoJson);
}

TEST(PresenceInfo, RoundTripsIdsAndInfoExactly) {
    expectRoundTrip("10", "null");
    expectRoundTrip("-1.5e3", R"({"a":1})");
    expectRoundTrip(R"("10")", R"({"name":"x","tags":["a,b","}"],"n":{"m":[]}})");
    expectRoundTrip(R"("a\"b,\"info\":{")", R"("just a string")");
    expectRoundTrip("true", "[1,2,{\"x\":\"]\"}]");
}

TEST(PresenceInfo, EmptyInfoIsStoredAsNull) {
    const auto decoded = decodePresenceInfo("k", encodePresenceInfo(state::PresenceMember{"k", "1", ""}));
    ASSERT_TRUE(decoded);
    EXPECT_EQ(decoded->infoJson, "null");
}

TEST(PresenceInfo, RejectsOtherShapes) {
    EXPECT_FALSE(decodePresenceInfo("k", ""));
    EXPECT_FALSE(decodePresenceInfo("k", R"({"id":1})"));
    EXPECT_FALSE(decodePresenceInfo("k", R"({"id":"unterminated,"info":null})"));
    EXPECT_FALSE(decodePresenceInfo("k", R"({"info":null,"id":1})"));
    EXPECT_FALSE(decodePresenceInfo("k", R"({"id":1,"info":})"));
}

}  // namespace
}  // namespace resound::redis
