// PresenceMembersRead: the ZRANGE + HGETALL behind a presence roster, and how their replies read — the
// one reading shared by RedisClusterState::presenceMembers and LoopClusterReads::presenceMembers.
#include "redis/PresenceMembersRead.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "redis/KeySchema.h"
#include "redis/PresenceInfo.h"

namespace resound::redis {
namespace {

std::vector<std::string> words(std::span<const std::string_view> args) { return {args.begin(), args.end()}; }

RespValue strings(const std::vector<std::string>& texts) {
    std::vector<RespValue> items;
    for (const auto& text : texts) items.push_back(RespValue::bulk(text));
    return RespValue::array(std::move(items));
}

TEST(PresenceMembersRead, AsksTheJoinOrderAndTheUserInfo) {
    const PresenceMembersRead read("app", "presence-room");
    EXPECT_EQ(words(read.orderCommand()),
              (std::vector<std::string>{"ZRANGE", keys::presenceOrder("app", "presence-room"), "0", "-1"}));
    EXPECT_EQ(words(read.infoCommand()),
              (std::vector<std::string>{"HGETALL", keys::presenceInfo("app", "presence-room")}));
}

TEST(PresenceMembersRead, ReadsTheMembersInJoinOrder) {
    const PresenceMembersRead read("app", "presence-room");
    const std::string ann = encodePresenceInfo({"ann", R"("ann")", R"({"n":1})"});
    const std::string bob = encodePresenceInfo({"7", "7", "null"});
    // HGETALL answers in the hash's order, not the join order.
    const auto members = read.members(strings({"7", "ann"}), strings({"ann", ann, "7", bob}));
    ASSERT_EQ(members.size(), 2u);
    EXPECT_EQ(members[0].userKey, "7");
    EXPECT_EQ(members[0].idJson, "7");
    EXPECT_EQ(members[1].userKey, "ann");
    EXPECT_EQ(members[1].idJson, R"("ann")");
    EXPECT_EQ(members[1].infoJson, R"({"n":1})");
}

TEST(PresenceMembersRead, AUserWithoutInfoIsLeftOut) {
    const PresenceMembersRead read("app", "presence-room");
    const std::string ann = encodePresenceInfo({"ann", R"("ann")", "null"});
    const auto members = read.members(strings({"gone", "ann"}), strings({"ann", ann}));
    ASSERT_EQ(members.size(), 1u);
    EXPECT_EQ(members[0].userKey, "ann");
    EXPECT_TRUE(read.members(strings({}), strings({})).empty()) << "an empty roster is an answer";
}

TEST(PresenceMembersRead, AnErrorOrNilReplyIsStateUnavailable) {
    const PresenceMembersRead read("app", "presence-room");
    EXPECT_THROW(read.members(RespValue::error("WRONGTYPE x"), strings({})), state::StateUnavailable);
    EXPECT_THROW(read.members(strings({}), RespValue::error("WRONGTYPE x")), state::StateUnavailable);
    EXPECT_THROW(read.members(RespValue{}, strings({})), state::StateUnavailable);
}

}  // namespace
}  // namespace resound::redis
