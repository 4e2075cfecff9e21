#include <gtest/gtest.h>

#include <string>

#include "service/ContainerMainProcess.h"

namespace resound::service {
namespace {

using namespace std::string_literals;

TEST(ContainerMainProcess, RecognisesTheBundlesBinariesByFileName) {
    auto invocation = resoundInvocationOf("/usr/local/bin/resound-auth\0"s);
    ASSERT_TRUE(invocation);
    EXPECT_EQ(invocation->binary, "resound-auth");
    EXPECT_TRUE(invocation->portAndConfig.empty());
    EXPECT_EQ(resoundInvocationOf("resound\0"s)->binary, "resound");
    EXPECT_EQ(resoundInvocationOf("resound-monitor"s)->binary, "resound-monitor");  // no final NUL
}

TEST(ContainerMainProcess, IgnoresOtherProgramsAndLookalikes) {
    EXPECT_FALSE(resoundInvocationOf("/sbin/init\0splash\0"s));
    EXPECT_FALSE(resoundInvocationOf("/usr/lib/systemd/systemd\0"s));
    EXPECT_FALSE(resoundInvocationOf("resound-edge-old\0"s));
    EXPECT_FALSE(resoundInvocationOf("/resound/bin/sh\0"s));
    EXPECT_FALSE(resoundInvocationOf(""s));
}

TEST(ContainerMainProcess, KeepsOnlyPortAndConfigArguments) {
    auto invocation = resoundInvocationOf(
        "resound-monitor\0--stale-after\0005\0--port\0009700\0-c\0/etc/r.yaml\0--log-format=json\0"s);
    ASSERT_TRUE(invocation);
    EXPECT_EQ(
        healthcheckArguments(*invocation),
        (std::vector<std::string>{"resound-monitor", "healthcheck", "--port", "9700", "-c", "/etc/r.yaml"}));
    invocation = resoundInvocationOf("resound-auth\0--config=/c.yaml\0--port=8181\0"s);
    EXPECT_EQ(healthcheckArguments(*invocation),
              (std::vector<std::string>{"resound-auth", "healthcheck", "--config=/c.yaml", "--port=8181"}));
}

TEST(ContainerMainProcess, ATrailingOptionWithoutValueIsDropped) {
    auto invocation = resoundInvocationOf("resound-auth\0--port\0"s);
    ASSERT_TRUE(invocation);
    EXPECT_EQ(healthcheckArguments(*invocation), (std::vector<std::string>{"resound-auth", "healthcheck"}));
}

}  // namespace
}  // namespace resound::service
