// /health, /up and /ready (service/HealthEndpoints.h): the one implementation the edge, resound-auth
// and resound-monitor answer with.
#include <gtest/gtest.h>

#include "service/HealthEndpoints.h"
#include "util/Version.h"

namespace resound::service::health {
namespace {

TEST(HealthEndpoints, RoutesAndMethods) {
    EXPECT_EQ(routeOf("/health"), Route::Health);
    EXPECT_EQ(routeOf("/up"), Route::Up);
    EXPECT_EQ(routeOf("/ready"), Route::Ready);
    EXPECT_EQ(routeOf("/metrics"), std::nullopt);
    EXPECT_EQ(routeOf("/health/"), std::nullopt);
    EXPECT_TRUE(methodAllowed("GET"));
    EXPECT_TRUE(methodAllowed("HEAD"));
    EXPECT_FALSE(methodAllowed("POST"));
}

TEST(HealthEndpoints, UpIsReverbsFixedAnswer) {
    EXPECT_EQ(up().status, 200);
    EXPECT_EQ(up().body, R"({"health":"OK"})");
}

TEST(HealthEndpoints, HealthHeadSaysStatusServiceAndVersion) {
    EXPECT_EQ(healthHead("resound-auth", false) + "}",
              std::string(R"({"status":"ok","service":"resound-auth","version":")") + kVersion + "\"}");
    EXPECT_EQ(healthHead("resound", true).rfind(R"({"status":"draining","service":"resound",)", 0), 0u);
}

TEST(HealthEndpoints, ReadyOr503WithTheReason) {
    EXPECT_EQ(ready(std::nullopt).status, 200);
    EXPECT_EQ(ready(std::nullopt).body, R"({"status":"ready"})");
    const Answer draining = ready(drainingReason(true));
    EXPECT_EQ(draining.status, 503);
    EXPECT_EQ(draining.body, R"({"error":"shutting down","code":503,"reason":"draining"})");
    EXPECT_EQ(drainingReason(false), std::nullopt);
    EXPECT_EQ(ready(NotReady{"redis_down", "Connection \"refused\""}).body,
              R"({"error":"Connection \"refused\"","code":503,"reason":"redis_down"})");
}

}  // namespace
}  // namespace resound::service::health
