#include "util/ProcessId.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <string>

namespace {

TEST(ProcessId, HostPidAndRandomSuffixInKeySafeCharacters) {
    const std::string id = resound::util::uniqueProcessId("node");
    EXPECT_NE(id.find("-" + std::to_string(::getpid()) + "-"), std::string::npos) << id;
    for (const char c : id) {
        const bool allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                             c == '-' || c == '.' || c == '_';
        EXPECT_TRUE(allowed) << id;
    }
}

TEST(ProcessId, TwoIdsOfOneProcessDiffer) {
    // Node ids are made anew on restart; within one process the random part still tells them apart
    // (24 bits: a collision in this test is a one-in-16-million event).
    EXPECT_NE(resound::util::uniqueProcessId("node"), resound::util::uniqueProcessId("node"));
}

}  // namespace
