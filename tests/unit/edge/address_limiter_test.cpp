#include <gtest/gtest.h>

#include "edge/AddressLimiter.h"

using resound::edge::AddressKey;
using resound::edge::AddressLimiter;

TEST(AddressLimiter, LimitsEachAddressSeparately) {
    AddressLimiter limiter(2);
    AddressKey a{}, b{};
    a[15] = 1;
    b[15] = 2;
    EXPECT_TRUE(limiter.tryAcquire(a));
    EXPECT_TRUE(limiter.tryAcquire(a));
    EXPECT_FALSE(limiter.tryAcquire(a));
    EXPECT_TRUE(limiter.tryAcquire(b));
    limiter.release(a);
    EXPECT_TRUE(limiter.tryAcquire(a));
}

TEST(AddressLimiter, ZeroMeansUnlimited) {
    AddressLimiter limiter(0);
    AddressKey a{};
    EXPECT_FALSE(limiter.enabled());
    for (int i = 0; i < 1000; ++i) EXPECT_TRUE(limiter.tryAcquire(a));
}
