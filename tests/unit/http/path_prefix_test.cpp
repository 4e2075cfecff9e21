#include <gtest/gtest.h>

#include "http/PathPrefix.h"

namespace resound::http {
namespace {

TEST(PathPrefix, StripsAWholeLeadingSegment) {
    EXPECT_EQ(stripPathPrefix("/ws/app/key", "/ws"), "/app/key");
    EXPECT_EQ(stripPathPrefix("/ws/app/key", "/ws/"), "/app/key");
    EXPECT_EQ(stripPathPrefix("/ws", "/ws"), "/");
    EXPECT_EQ(stripPathPrefix("/ws/", "/ws"), "/");
}

TEST(PathPrefix, LeavesOtherPathsAlone) {
    EXPECT_EQ(stripPathPrefix("/wsx/app", "/ws"), "/wsx/app");
    EXPECT_EQ(stripPathPrefix("/app/key", "/ws"), "/app/key");
    EXPECT_EQ(stripPathPrefix("/app/key", ""), "/app/key");
    EXPECT_EQ(stripPathPrefix("/app/key", "/"), "/app/key");
    EXPECT_EQ(stripPathPrefix("/w", "/ws"), "/w");
}

}  // namespace
}  // namespace resound::http
