// LeaseTerm: when the webhook sender may pop and when it renews, from its grant times alone.
#include <gtest/gtest.h>

#include "webhooks/LeaseTerm.h"

namespace resound::webhooks::test {
namespace {

using std::chrono::milliseconds;
const LeaseTerm::TimePoint t0{std::chrono::seconds(100)};
constexpr milliseconds kTtl{9000};
constexpr milliseconds kPop{4000};  // one claim round: the I/O timeout plus a poll interval, generously

TEST(LeaseTerm, NothingIsAllowedBeforeTheFirstGrant) {
    LeaseTerm term(kTtl);
    EXPECT_FALSE(term.held(t0));
    EXPECT_FALSE(term.mayPop(t0, kPop));
    EXPECT_TRUE(term.renewDue(t0));  // i.e. try to acquire
}

TEST(LeaseTerm, RenewsAfterAThirdOfTheTtl) {
    LeaseTerm term(kTtl);
    term.granted(t0);
    EXPECT_FALSE(term.renewDue(t0 + milliseconds(2999)));
    EXPECT_TRUE(term.renewDue(t0 + milliseconds(3000)));
    term.granted(t0 + milliseconds(3000));
    EXPECT_FALSE(term.renewDue(t0 + milliseconds(5999)));
}

TEST(LeaseTerm, PopsOnlyWhenThePopEndsBeforeTheLeaseCouldRunOut) {
    LeaseTerm term(kTtl);
    term.granted(t0);
    EXPECT_TRUE(term.mayPop(t0, kPop));
    EXPECT_TRUE(term.mayPop(t0 + milliseconds(4999), kPop));
    EXPECT_FALSE(term.mayPop(t0 + milliseconds(5000), kPop));  // would end at the expiry
    EXPECT_TRUE(term.held(t0 + milliseconds(8999)));
    EXPECT_FALSE(term.held(t0 + milliseconds(9000)));
}

TEST(LeaseTerm, ARenewalThatFailsTwiceStillStopsPoppingInTime) {
    // Granted at t0, renewals due at 3 s and 6 s fail (Redis slow, not answering): no pop may start
    // after 5 s, so none is running when another process may take the lease at 9 s.
    LeaseTerm term(kTtl);
    term.granted(t0);
    for (int ms = 0; ms < 9000; ms += 100) {
        const auto now = t0 + milliseconds(ms);
        if (term.mayPop(now, kPop)) {
            EXPECT_LT(now + kPop, t0 + kTtl) << ms;
        }
    }
}

TEST(LeaseTerm, LosingItEndsEverythingAtOnce) {
    LeaseTerm term(kTtl);
    term.granted(t0);
    term.lost();
    EXPECT_FALSE(term.held(t0));
    EXPECT_FALSE(term.mayPop(t0, kPop));
    EXPECT_TRUE(term.renewDue(t0));
}

}  // namespace
}  // namespace resound::webhooks::test
