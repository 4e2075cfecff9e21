// CachedEventRead: the GET + PTTL behind a cache channel's kept event, and how their replies read — the
// one reading shared by RedisClusterState::cachedEvent and LoopClusterReads::cachedEvent.
#include "redis/CachedEventRead.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "redis/KeySchema.h"

namespace resound::redis {
namespace {

std::vector<std::string> words(std::span<const std::string_view> args) { return {args.begin(), args.end()}; }

TEST(CachedEventRead, AsksTheValueAndTheTtlOfTheCacheKey) {
    const CachedEventRead read("app", "cache-prices");
    EXPECT_EQ(words(read.valueCommand()),
              (std::vector<std::string>{"GET", keys::cache("app", "cache-prices")}));
    EXPECT_EQ(words(read.ttlCommand()),
              (std::vector<std::string>{"PTTL", keys::cache("app", "cache-prices")}));
}

TEST(CachedEventRead, ReadsTheEventAndRoundsTheTtlUp) {
    const CachedEventRead read("app", "cache-prices");
    const auto event = read.event(RespValue::bulk(R"({"event":"e"})"), RespValue::number(59001));
    ASSERT_TRUE(event.has_value());
    EXPECT_EQ(event->eventJson, R"({"event":"e"})");
    EXPECT_EQ(event->ttlSecondsLeft, 60);
    EXPECT_EQ(read.event(RespValue::bulk("{}"), RespValue::number(60000))->ttlSecondsLeft, 60);
    EXPECT_EQ(read.event(RespValue::bulk("{}"), RespValue::number(1))->ttlSecondsLeft, 1);
    EXPECT_EQ(read.event(RespValue::bulk("{}"), RespValue::number(-1))->ttlSecondsLeft, 0) << "no expiry";
}

TEST(CachedEventRead, NilOrAKeyGoneBeforeThePttlIsNothingKept) {
    const CachedEventRead read("app", "cache-prices");
    EXPECT_FALSE(read.event(RespValue{}, RespValue::number(-2)).has_value()) << "nil";
    EXPECT_FALSE(read.event(RespValue::bulk("{}"), RespValue::number(-2)).has_value())
        << "expired in between";
}

TEST(CachedEventRead, AnErrorReplyIsStateUnavailable) {
    const CachedEventRead read("app", "cache-prices");
    EXPECT_THROW(read.event(RespValue::error("WRONGTYPE x"), RespValue::number(1000)),
                 state::StateUnavailable);
    EXPECT_THROW(read.event(RespValue::bulk("{}"), RespValue::error("ERR x")), state::StateUnavailable);
}

}  // namespace
}  // namespace resound::redis
