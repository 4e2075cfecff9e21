// The typed script calls of ClusterScripts.h: each call's KEYS/ARGV encoding, each reply shape its
// parse() accepts or refuses (pure), and the calls against a real redis-server (their answers,
// LeaseLost, TooLate), plus ScriptPipeline handing each reply to its own call.
#include <gtest/gtest.h>

#include "RedisServer.h"
#include "redis/ClusterScripts.h"
#include "redis/PresenceInfo.h"
#include "redis/ScriptPipeline.h"

namespace resound::redis {
namespace {

using namespace std::chrono_literals;
using scripts::AddConnection;
using scripts::AddSubscription;
using scripts::Heartbeat;
using scripts::JoinPresence;
using scripts::LeavePresence;
using scripts::ListChannels;
using scripts::Reap;
using scripts::RemoveConnection;
using scripts::RemoveSubscription;
using state::PresenceJoinStatus;
using state::PresenceMember;
using testing::RedisServer;
using Strings = std::vector<std::string>;

PresenceMember user(const std::string& key, const std::string& info = "null") {
    return PresenceMember{key, "\"" + key + "\"", info};
}

RespValue ints(std::initializer_list<std::int64_t> values) {
    std::vector<RespValue> items;
    for (auto v : values) items.push_back(RespValue::number(v));
    return RespValue::array(std::move(items));
}

// ---- encoding --------------------------------------------------------------------------------------

TEST(ScriptEncoding, SubscriptionCallsNameTheClusterHashAndTheNodeHash) {
    const ScriptCall add = AddSubscription{"n1-g2", "app", "news", 3, 1234}.encode();
    ASSERT_NE(add.script, nullptr);
    EXPECT_EQ(add.keys, (Strings{"resound:nodes", "resound:app:channels", "resound:node:n1-g2:subs"}));
    EXPECT_EQ(add.args, (Strings{"n1-g2", "news", "app\nnews", "3", "1234"}));

    const ScriptCall remove = RemoveSubscription{"n1-g2", "app", "news"}.encode();
    EXPECT_EQ(remove.keys, add.keys);
    EXPECT_EQ(remove.args, (Strings{"n1-g2", "news", "app\nnews", "0"}));  // fence 0: none
    EXPECT_NE(remove.script->sha1(), add.script->sha1());
}

TEST(ScriptEncoding, JoinPresenceCarriesTheStoredMemberAndTheRosterFlag) {
    JoinPresence join{"n1", "app", "presence-room", user("u1", R"({"n":1})"), 5, 2};
    join.withRoster = false;
    join.fenceMs = 99;
    const ScriptCall call = join.encode();
    EXPECT_EQ(call.keys,
              (Strings{"resound:nodes", "resound:app:presence:presence-room",
                       "resound:app:presence_info:presence-room", "resound:app:presence_order:presence-room",
                       "resound:app:presence_seq", "resound:node:n1:presence"}));
    EXPECT_EQ(call.args, (Strings{"n1", "u1", encodePresenceInfo(user("u1", R"({"n":1})")), "5",
                                  "app\npresence-room\nu1", "2", "0", "99"}));
    join.withRoster = true;
    EXPECT_EQ(join.encode().args[6], "1");
}

TEST(ScriptEncoding, LeaveAndConnectionCalls) {
    const ScriptCall leave = LeavePresence{"n1", "app", "presence-room", "u1", 7}.encode();
    EXPECT_EQ(leave.keys, (Strings{"resound:nodes", "resound:app:presence:presence-room",
                                   "resound:app:presence_info:presence-room",
                                   "resound:app:presence_order:presence-room", "resound:node:n1:presence"}));
    EXPECT_EQ(leave.args, (Strings{"n1", "u1", "app\npresence-room\nu1", "7"}));

    const ScriptCall add = AddConnection{"n1", "app", 100, 4, 8}.encode();
    EXPECT_EQ(add.keys, (Strings{"resound:nodes", "resound:app:connections", "resound:node:n1:conns"}));
    EXPECT_EQ(add.args, (Strings{"n1", "app", "100", "4", "8"}));

    const ScriptCall remove = RemoveConnection{"n1", "app", 9}.encode();
    EXPECT_EQ(remove.keys, add.keys);
    EXPECT_EQ(remove.args, (Strings{"n1", "app", "9"}));
}

TEST(ScriptEncoding, ReadsAndUpkeep) {
    const ScriptCall list = ListChannels{"app", "presence-"}.encode();
    EXPECT_EQ(list.keys, (Strings{"resound:app:channels"}));
    EXPECT_EQ(list.args, (Strings{"app", "presence-"}));

    Heartbeat beat{"n1", true, 30s, {{"service", "edge"}, {"connections", "12"}}};
    const ScriptCall heartbeat = beat.encode();
    EXPECT_EQ(heartbeat.keys, (Strings{"resound:nodes", "resound:node:n1:stats", "resound:node:n1:reaped"}));
    // Stats as field/value pairs after the fixed arguments (map order).
    EXPECT_EQ(heartbeat.args, (Strings{"n1", "1", "30", "connections", "12", "service", "edge"}));
    EXPECT_EQ((Heartbeat{"n2", false, 30s, {}}.encode().args), (Strings{"n2", "0", "30"}));

    Reap reap;
    reap.lease = 10000ms;
    reap.maxNodes = 16;
    reap.tombstoneTtl = 86400s;
    EXPECT_EQ(reap.encode().keys, (Strings{"resound:nodes"}));
    EXPECT_EQ(reap.encode().args, (Strings{"10000", "", "16", "86400"}));
    reap.nodeId = "dead-g1";
    EXPECT_EQ(reap.encode().args[1], "dead-g1");
}

// ---- parsing ---------------------------------------------------------------------------------------

TEST(ScriptParsing, MutationsShareLeaseLostTooLateAndErrors) {
    EXPECT_EQ(AddSubscription::parse(RespValue::number(-1)).status, ScriptStatus::LeaseLost);
    EXPECT_EQ(RemoveSubscription::parse(RespValue::number(-3)).status, ScriptStatus::TooLate);
    EXPECT_EQ(JoinPresence::parse(RespValue::number(-1)).status, ScriptStatus::LeaseLost);
    EXPECT_EQ(LeavePresence::parse(RespValue::number(-3)).status, ScriptStatus::TooLate);
    EXPECT_EQ(AddConnection::parse(RespValue::number(-1)).status, ScriptStatus::LeaseLost);
    EXPECT_EQ(RemoveConnection::parse(RespValue::number(-3)).status, ScriptStatus::TooLate);

    const auto failed = AddSubscription::parse(RespValue::error("ERR Error running script"));
    EXPECT_EQ(failed.status, ScriptStatus::RedisError);
    EXPECT_EQ(failed.error, "ERR Error running script");

    const auto missing = scripts::parseReply<AddSubscription>(std::nullopt);
    EXPECT_EQ(missing.status, ScriptStatus::NoAnswer);
    EXPECT_FALSE(missing.ok());
}

TEST(ScriptParsing, CountsAndTheirUnexpectedShapes) {
    const auto counted = AddSubscription::parse(RespValue::number(4));
    ASSERT_TRUE(counted.ok());
    EXPECT_EQ(counted.answer, 4u);
    EXPECT_EQ(RemoveSubscription::parse(RespValue::number(0)).answer, 0u);

    const auto text = AddSubscription::parse(RespValue::bulk("4"));
    EXPECT_EQ(text.status, ScriptStatus::UnexpectedReply);
    EXPECT_EQ(text.error, "addSubscription: expected a count >= 0, got a string of 1 bytes");
    EXPECT_EQ(RemoveSubscription::parse(RespValue::number(-2)).status, ScriptStatus::UnexpectedReply);
    EXPECT_EQ(RemoveSubscription::parse(ints({1})).error,
              "removeSubscription: expected a count >= 0, got an array of 1 elements");
}

TEST(ScriptParsing, JoinPresenceStatusesAndRoster) {
    const std::string stored = encodePresenceInfo(PresenceMember{"u1", "1", R"({"n":1})"});
    const auto joined = JoinPresence::parse(
        RespValue::array({RespValue::number(0), RespValue::bulk("u1"), RespValue::bulk(stored),
                          RespValue::bulk("u2"), RespValue::bulk("not the stored form")}));
    ASSERT_TRUE(joined.ok());
    EXPECT_EQ(joined.answer.status, PresenceJoinStatus::Joined);
    ASSERT_EQ(joined.answer.members.size(), 2u);
    EXPECT_EQ(joined.answer.members[0].idJson, "1");
    EXPECT_EQ(joined.answer.members[0].infoJson, R"({"n":1})");
    // A malformed stored value keeps the user in the roster with its key as id.
    EXPECT_EQ(joined.answer.members[1].idJson, "\"u2\"");
    EXPECT_EQ(joined.answer.members[1].infoJson, "null");

    EXPECT_EQ(JoinPresence::parse(ints({1})).answer.status, PresenceJoinStatus::AlreadyPresent);
    const auto full = JoinPresence::parse(ints({2}));
    ASSERT_TRUE(full.ok());
    EXPECT_EQ(full.answer.status, PresenceJoinStatus::RosterFull);
    EXPECT_TRUE(full.answer.members.empty());

    EXPECT_EQ(JoinPresence::parse(ints({3})).status, ScriptStatus::UnexpectedReply);
    EXPECT_EQ(JoinPresence::parse(ints({})).status, ScriptStatus::UnexpectedReply);
    EXPECT_EQ(JoinPresence::parse(RespValue::number(0)).status, ScriptStatus::UnexpectedReply);
    // A user without its info (odd pairing) is a shape the script never returns.
    EXPECT_EQ(JoinPresence::parse(RespValue::array({RespValue::number(0), RespValue::bulk("u1")})).status,
              ScriptStatus::UnexpectedReply);
}

TEST(ScriptParsing, LeaveAndConnectionAnswers) {
    EXPECT_TRUE(LeavePresence::parse(RespValue::number(1)).answer.userLeft);
    const auto stays = LeavePresence::parse(RespValue::number(0));
    ASSERT_TRUE(stays.ok());
    EXPECT_FALSE(stays.answer.userLeft);
    EXPECT_EQ(LeavePresence::parse(RespValue::number(2)).status, ScriptStatus::UnexpectedReply);

    EXPECT_EQ(AddConnection::parse(RespValue::number(1)).answer, AddConnection::Answer::Admitted);
    EXPECT_EQ(AddConnection::parse(RespValue::number(0)).answer, AddConnection::Answer::AtLimit);
    EXPECT_EQ(AddConnection::parse(RespValue::simple("OK")).error,
              "addConnection: expected 0 or 1, got a status \"OK\"");
    EXPECT_EQ(RemoveConnection::parse(RespValue::number(1)).answer, RemoveConnection::Answer::Removed);
    EXPECT_EQ(RemoveConnection::parse(RespValue::number(0)).answer, RemoveConnection::Answer::NothingOfOurs);
    EXPECT_EQ(RemoveConnection::parse(RespValue{}).error, "removeConnection: expected 0 or 1, got null");
}

TEST(ScriptParsing, HeartbeatLeaseStates) {
    using Lease = Heartbeat::Answer::Lease;
    const auto renewed = Heartbeat::parse(RespValue::number(1'700'000'000'123));
    ASSERT_TRUE(renewed.ok());
    EXPECT_EQ(renewed.answer.lease, Lease::Renewed);
    EXPECT_EQ(renewed.answer.serverTimeMs, 1'700'000'000'123);
    EXPECT_EQ(Heartbeat::parse(RespValue::number(-1)).answer.lease, Lease::VanishedWithoutTrace);
    EXPECT_EQ(Heartbeat::parse(RespValue::number(-2)).answer.lease, Lease::ReapedByPeer);
    EXPECT_EQ(Heartbeat::parse(RespValue::number(0)).status, ScriptStatus::UnexpectedReply);
    EXPECT_EQ(Heartbeat::parse(RespValue::number(-3)).status, ScriptStatus::UnexpectedReply);
    EXPECT_EQ(Heartbeat::parse(RespValue::error("BUSY")).status, ScriptStatus::RedisError);
}

TEST(ScriptParsing, ListChannelsTriplesSortedByName) {
    const auto listed = ListChannels::parse(
        RespValue::array({RespValue::bulk("presence-r"), RespValue::number(2), RespValue::number(1),
                          RespValue::bulk("news"), RespValue::number(3), RespValue::number(0)}));
    ASSERT_TRUE(listed.ok());
    ASSERT_EQ(listed.answer.size(), 2u);
    EXPECT_EQ(listed.answer[0].name, "news");
    EXPECT_EQ(listed.answer[1].name, "presence-r");
    EXPECT_EQ(listed.answer[1].subscriptionCount, 2u);
    EXPECT_EQ(listed.answer[1].userCount, 1u);
    EXPECT_TRUE(ListChannels::parse(ints({})).ok());
    EXPECT_EQ(ListChannels::parse(RespValue::array({RespValue::bulk("news"), RespValue::number(3)})).status,
              ScriptStatus::UnexpectedReply);
    EXPECT_EQ(ListChannels::parse(ints({1, 2, 3})).status,
              ScriptStatus::UnexpectedReply);  // name not a string
}

TEST(ScriptParsing, ReapNodesLeavesAndVacancies) {
    const std::string stored = encodePresenceInfo(PresenceMember{"u1", "\"u1\"", R"({"n":1})"});
    const auto reaped = Reap::parse(RespValue::array(
        {RespValue::array({RespValue::bulk("dead-g1")}),
         RespValue::array({RespValue::array({RespValue::bulk("app"), RespValue::bulk("presence-r"),
                                             RespValue::bulk("u1"), RespValue::bulk(stored)})}),
         RespValue::array({RespValue::array({RespValue::bulk("app"), RespValue::bulk("news")})})}));
    ASSERT_TRUE(reaped.ok()) << reaped.error;
    EXPECT_EQ(reaped.answer.nodes, (Strings{"dead-g1"}));
    ASSERT_EQ(reaped.answer.transitions.left.size(), 1u);
    EXPECT_EQ(reaped.answer.transitions.left[0].channel, "presence-r");
    EXPECT_EQ(reaped.answer.transitions.left[0].member.infoJson, R"({"n":1})");
    ASSERT_EQ(reaped.answer.transitions.vacated.size(), 1u);
    EXPECT_EQ(reaped.answer.transitions.vacated[0].channel, "news");

    EXPECT_EQ(Reap::parse(ints({1, 2})).status, ScriptStatus::UnexpectedReply);
    EXPECT_EQ(Reap::parse(RespValue::array({ints({}), ints({}), RespValue::bulk("x")})).status,
              ScriptStatus::UnexpectedReply);
    // A vacancy without its channel.
    EXPECT_EQ(Reap::parse(RespValue::array({RespValue::array({}), RespValue::array({}),
                                            RespValue::array({RespValue::array({RespValue::bulk("app")})})}))
                  .status,
              ScriptStatus::UnexpectedReply);
}

// ---- against redis-server ----------------------------------------------------------------------------

struct ScriptsOnRedis : ::testing::Test {
    void SetUp() override {
        SKIP_WITHOUT_REDIS();
        server = std::make_unique<RedisServer>();
        redis = std::make_shared<CommandClient>(server->options());
        const auto registered = runScript(*redis, Heartbeat{"n1", /*mustExist=*/false, 30s, {}});
        ASSERT_TRUE(registered.ok()) << registered.error;
        ASSERT_EQ(registered.answer.lease, Heartbeat::Answer::Lease::Renewed);
    }
    std::int64_t serverTimeMs() {
        const auto time = redis->command({"TIME"});
        return std::stoll(time->elements[0].text) * 1000 + std::stoll(time->elements[1].text) / 1000;
    }
    std::unique_ptr<RedisServer> server;
    std::shared_ptr<CommandClient> redis;
};

TEST_F(ScriptsOnRedis, HeartbeatAnswersServerTimeAndTellsALostLeaseFromAReapedOne) {
    const auto before = serverTimeMs();
    const auto beat = runScript(*redis, Heartbeat{"n1", true, 30s, {{"service", "edge"}}});
    ASSERT_TRUE(beat.ok());
    EXPECT_GE(beat.answer.serverTimeMs, before);
    EXPECT_EQ(redis->command({"HGET", "resound:node:n1:stats", "service"})->text, "edge");

    EXPECT_EQ(runScript(*redis, Heartbeat{"never", true, 30s, {}}).answer.lease,
              Heartbeat::Answer::Lease::VanishedWithoutTrace);
    Reap reap;
    reap.nodeId = "n1";
    ASSERT_TRUE(runScript(*redis, reap).ok());
    EXPECT_EQ(runScript(*redis, Heartbeat{"n1", true, 30s, {}}).answer.lease,
              Heartbeat::Answer::Lease::ReapedByPeer);
}

TEST_F(ScriptsOnRedis, MutationsOfANodeWithoutLeaseOrPastTheirFenceChangeNothing) {
    EXPECT_EQ(runScript(*redis, AddSubscription{"stranger", "app", "news"}).status, ScriptStatus::LeaseLost);
    const auto late = runScript(*redis, AddSubscription{"n1", "app", "news", 1, serverTimeMs() - 1000});
    EXPECT_EQ(late.status, ScriptStatus::TooLate);
    EXPECT_EQ(runScript(*redis, AddConnection{"n1", "app", 0, 1, 1}).status, ScriptStatus::TooLate);
    EXPECT_TRUE(redis->command({"HGET", "resound:app:channels", "news"})->isNull());
    EXPECT_TRUE(redis->command({"GET", "resound:app:connections"})->isNull());
    // A fence in the future lets the call through.
    EXPECT_EQ(runScript(*redis, AddSubscription{"n1", "app", "news", 1, serverTimeMs() + 60'000}).answer, 1u);
}

TEST_F(ScriptsOnRedis, SubscriptionsPresenceAndConnectionsAnswerByName) {
    EXPECT_EQ(runScript(*redis, AddSubscription{"n1", "app", "news"}).answer, 1u);
    EXPECT_EQ(runScript(*redis, AddSubscription{"n1", "app", "news", 2}).answer, 3u);
    EXPECT_EQ(runScript(*redis, RemoveSubscription{"n1", "app", "news"}).answer, 2u);

    const auto first =
        runScript(*redis, JoinPresence{"n1", "app", "presence-r", user("u1", R"({"a":1})"), 1});
    ASSERT_TRUE(first.ok()) << first.error;
    EXPECT_EQ(first.answer.status, PresenceJoinStatus::Joined);
    ASSERT_EQ(first.answer.members.size(), 1u);
    EXPECT_EQ(first.answer.members[0].infoJson, R"({"a":1})");
    EXPECT_EQ(runScript(*redis, JoinPresence{"n1", "app", "presence-r", user("u1"), 1}).answer.status,
              PresenceJoinStatus::AlreadyPresent);
    EXPECT_EQ(runScript(*redis, JoinPresence{"n1", "app", "presence-r", user("u2"), 1}).answer.status,
              PresenceJoinStatus::RosterFull);
    EXPECT_FALSE(runScript(*redis, LeavePresence{"n1", "app", "presence-r", "u1"}).answer.userLeft);
    EXPECT_TRUE(runScript(*redis, LeavePresence{"n1", "app", "presence-r", "u1"}).answer.userLeft);

    EXPECT_EQ(runScript(*redis, AddConnection{"n1", "app", 1}).answer, AddConnection::Answer::Admitted);
    EXPECT_EQ(runScript(*redis, AddConnection{"n1", "app", 1}).answer, AddConnection::Answer::AtLimit);
    EXPECT_EQ(runScript(*redis, RemoveConnection{"n1", "app"}).answer, RemoveConnection::Answer::Removed);
    EXPECT_EQ(runScript(*redis, RemoveConnection{"n1", "app"}).answer,
              RemoveConnection::Answer::NothingOfOurs);

    const auto listed = runScript(*redis, ListChannels{"app", ""});
    ASSERT_TRUE(listed.ok());
    ASSERT_EQ(listed.answer.size(), 1u);
    EXPECT_EQ(listed.answer[0].name, "news");
    EXPECT_EQ(listed.answer[0].subscriptionCount, 2u);
}

TEST_F(ScriptsOnRedis, ReapSubtractsADeadNodeAndNamesItsTransitions) {
    ASSERT_TRUE(runScript(*redis, AddSubscription{"n1", "app", "news"}).ok());
    ASSERT_TRUE(runScript(*redis, JoinPresence{"n1", "app", "presence-r", user("u1", R"({"a":1})")}).ok());
    Reap reap;
    reap.nodeId = "n1";
    const auto reaped = runScript(*redis, reap);
    ASSERT_TRUE(reaped.ok()) << reaped.error;
    EXPECT_EQ(reaped.answer.nodes, (Strings{"n1"}));
    ASSERT_EQ(reaped.answer.transitions.left.size(), 1u);
    EXPECT_EQ(reaped.answer.transitions.left[0].member.infoJson, R"({"a":1})");
    ASSERT_EQ(reaped.answer.transitions.vacated.size(), 1u);
    EXPECT_EQ(reaped.answer.transitions.vacated[0].channel, "news");
    // Claimed once: a second reaper finds nothing.
    EXPECT_TRUE(runScript(*redis, reap).answer.nodes.empty());
}

TEST_F(ScriptsOnRedis, APipelineHandsEachReplyToItsOwnCall) {
    ScriptPipeline pipeline;
    std::vector<std::string> seen;
    pipeline.add(AddSubscription{"n1", "app", "news", 5}, [&](const ScriptResult<std::size_t>& r) {
        seen.push_back("subscription " + std::to_string(r.answer));
    });
    JoinPresence join{"n1", "app", "presence-r", user("u1")};
    join.withRoster = false;
    pipeline.add(join, [&](const ScriptResult<state::PresenceJoin>& r) {
        seen.push_back(std::string("join ") +
                       (r.answer.status == PresenceJoinStatus::Joined ? "joined" : "?") + " roster " +
                       std::to_string(r.answer.members.size()));
    });
    pipeline.add(AddSubscription{"stranger", "app", "news"},
                 [&](const ScriptResult<std::size_t>& r) { seen.push_back(toString(r.status)); });
    pipeline.add(AddConnection{"n1", "app", 0, 2}, [&](const ScriptResult<AddConnection::Answer>& r) {
        seen.push_back(r.answer == AddConnection::Answer::Admitted ? "admitted" : "?");
    });
    EXPECT_EQ(pipeline.size(), 4u);
    EXPECT_TRUE(pipeline.execute(*redis));
    EXPECT_TRUE(pipeline.empty());
    EXPECT_EQ(seen, (Strings{"subscription 5", "join joined roster 0", "lease lost", "admitted"}));
    EXPECT_EQ(redis->command({"GET", "resound:app:connections"})->text, "2");
}

TEST_F(ScriptsOnRedis, APipelineThatGetsNoAnswerSaysSoToEveryCall) {
    ScriptPipeline pipeline;
    std::vector<ScriptStatus> seen;
    pipeline.add(AddSubscription{"n1", "app", "news"},
                 [&](const ScriptResult<std::size_t>& r) { seen.push_back(r.status); });
    pipeline.add(RemoveConnection{"n1", "app"},
                 [&](const ScriptResult<RemoveConnection::Answer>& r) { seen.push_back(r.status); });
    server->stop();
    EXPECT_FALSE(pipeline.execute(*redis));
    EXPECT_EQ(seen, (std::vector<ScriptStatus>{ScriptStatus::NoAnswer, ScriptStatus::NoAnswer}));
}

}  // namespace
}  // namespace resound::redis
