// ConnectionCountRead: the GET behind an app's connection count, and how its reply reads — the one
// reading shared by RedisClusterState::connectionCount and LoopClusterReads::connectionCount.
#include "redis/ConnectionCountRead.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "redis/KeySchema.h"
#include "state/ClusterState.h"

namespace resound::redis {
namespace {

TEST(ConnectionCountRead, AsksTheAppsConnectionCounter) {
    const ConnectionCountRead read("app");
    EXPECT_EQ((std::vector<std::string>{read.command().begin(), read.command().end()}),
              (std::vector<std::string>{"GET", keys::connections("app")}));
}

TEST(ConnectionCountRead, ReadsTheCount) {
    const ConnectionCountRead read("app");
    EXPECT_EQ(read.count(RespValue::bulk("42")), 42u);
    EXPECT_EQ(read.count(RespValue{}), 0u) << "nil: no connection ever counted";
    EXPECT_EQ(read.count(RespValue::bulk("-3")), 0u);
}

TEST(ConnectionCountRead, AnErrorOrForeignReplyIsStateUnavailable) {
    const ConnectionCountRead read("app");
    EXPECT_THROW(read.count(RespValue::error("WRONGTYPE x")), state::StateUnavailable);
    EXPECT_THROW(read.count(RespValue::bulk("many")), state::StateUnavailable);
}

}  // namespace
}  // namespace resound::redis
