#include <gtest/gtest.h>

#include <chrono>

#include "crypto/Base64.h"
#include "dashboard/BasicAuth.h"

namespace resound::dashboard {
namespace {

std::string basic(std::string_view credentials) { return "Basic " + crypto::base64Encode(credentials); }

TEST(BasicAuth, AcceptsAdminWithThePassword) {
    BasicAuth auth("correct horse");
    EXPECT_TRUE(auth.accepts(basic("admin:correct horse")));
    EXPECT_TRUE(
        auth.accepts("basic " + crypto::base64Encode("admin:correct horse")));  // scheme is case-insensitive
    EXPECT_TRUE(auth.accepts("  Basic   " + crypto::base64Encode("admin:correct horse") + " "));
}

TEST(BasicAuth, RefusesEverythingElse) {
    BasicAuth auth("correct horse");
    EXPECT_FALSE(auth.accepts(""));
    EXPECT_FALSE(auth.accepts(basic("admin:correct hors")));
    EXPECT_FALSE(auth.accepts(basic("admin:correct horse ")));
    EXPECT_FALSE(auth.accepts(basic("root:correct horse")));
    EXPECT_FALSE(auth.accepts(basic("correct horse")));
    EXPECT_FALSE(auth.accepts("Bearer " + crypto::base64Encode("admin:correct horse")));
    EXPECT_FALSE(auth.accepts("Basic"));
    EXPECT_FALSE(auth.accepts("Basic not*base64"));
    EXPECT_FALSE(auth.accepts("Basic " + std::string(5000, 'A')));
}

TEST(BasicAuth, ChallengeAsksForTheRealmAndSaysWhatToSend) {
    const auto reply = BasicAuth::challenge("");
    EXPECT_EQ(reply.status, 401);
    bool challenged = false;
    for (const auto& [name, value] : reply.headers) {
        if (name == "WWW-Authenticate") challenged = value.rfind("Basic realm=\"Resound dashboard\"", 0) == 0;
    }
    EXPECT_TRUE(challenged);
    EXPECT_NE(reply.body.find("admin"), std::string::npos);
    EXPECT_NE(BasicAuth::challenge("Basic x").body.find("Wrong user or password"), std::string::npos);
}

TEST(BasicAuth, AThousandWrongPasswordsAreCheap) {
    BasicAuth auth("s3cret-password");
    const auto start = std::chrono::steady_clock::now();
    int accepted = 0;
    for (int i = 0; i < 1000; ++i)
        accepted += auth.accepts(basic("admin:guess-" + std::to_string(i))) ? 1 : 0;
    const auto elapsed = std::chrono::steady_clock::now() - start;
    EXPECT_EQ(accepted, 0);
    // Microseconds each; 1 s is a bound a sanitizer build on a loaded machine still meets by far.
    EXPECT_LT(elapsed, std::chrono::seconds(1));
}

}  // namespace
}  // namespace resound::dashboard
