// CacheStoreCommand: what RedisClusterState and LoopPublisher both send to keep a cache channel's
// last event.
#include "redis/CacheStoreCommand.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "redis/KeySchema.h"

namespace resound::redis {
namespace {

std::vector<std::string> words(const CacheStoreCommand& command) {
    return {command.args().begin(), command.args().end()};
}

TEST(CacheStoreCommand, APositiveTtlIsASetWithExpiry) {
    const CacheStoreCommand store("app", "cache-prices", R"({"event":"e","data":"1"})", 1800);
    EXPECT_EQ(words(store), (std::vector<std::string>{"SET", keys::cache("app", "cache-prices"),
                                                      R"({"event":"e","data":"1"})", "EX", "1800"}));
}

TEST(CacheStoreCommand, ATtlOfZeroOrLessDeletesTheKept) {
    for (const int ttl : {0, -5}) {
        const CacheStoreCommand store("app", "cache-prices", "{}", ttl);
        EXPECT_EQ(words(store), (std::vector<std::string>{"DEL", keys::cache("app", "cache-prices")})) << ttl;
    }
}

}  // namespace
}  // namespace resound::redis
