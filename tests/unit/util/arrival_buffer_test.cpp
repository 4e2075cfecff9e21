#include <gtest/gtest.h>

#include <string>

#include "util/ArrivalBuffer.h"

using resound::util::kFirstArrivalReservation;
using resound::util::reserveForArrival;

namespace {

// Appends `total` bytes in chunks of `chunk` the way the parsers do, counting reallocations and
// checking after each chunk that the capacity stays within twice what arrived (or the first step).
std::size_t appendInChunks(std::string& buffer, std::size_t total, std::size_t chunk, std::size_t ceiling) {
    std::size_t reallocations = 0;
    while (buffer.size() < total) {
        const std::size_t n = std::min(chunk, total - buffer.size());
        const std::size_t before = buffer.capacity();
        reserveForArrival(buffer, buffer.size() + n, ceiling);
        buffer.append(n, 'x');
        if (buffer.capacity() != before) ++reallocations;
        EXPECT_LE(buffer.capacity(), std::max(kFirstArrivalReservation, 2 * buffer.size()));
        EXPECT_LE(buffer.capacity(), std::max(ceiling, 2 * buffer.size()));
    }
    return reallocations;
}

}  // namespace

TEST(ArrivalBuffer, OneByteOfAHugeDeclaredLengthCostsTheFirstStepOnly) {
    std::string buffer;
    reserveForArrival(buffer, 1, 64u << 20);
    EXPECT_GE(buffer.capacity(), 1u);
    EXPECT_LE(buffer.capacity(), kFirstArrivalReservation);
}

TEST(ArrivalBuffer, SmallDeclaredLengthIsOneExactAllocation) {
    std::string buffer;
    reserveForArrival(buffer, 100, 1000);  // more than fits in the string itself (SSO)
    EXPECT_GE(buffer.capacity(), 1000u);
    EXPECT_LT(buffer.capacity(), 2000u);  // the ceiling, not the first step
    const std::size_t capacity = buffer.capacity();
    buffer.append(100, 'a');
    reserveForArrival(buffer, 1000, 1000);
    EXPECT_EQ(buffer.capacity(), capacity);
}

TEST(ArrivalBuffer, WholeArrivalIsOneExactAllocation) {
    std::string buffer;
    reserveForArrival(buffer, 100000, 100000);
    EXPECT_GE(buffer.capacity(), 100000u);
    EXPECT_LT(buffer.capacity(), 100100u);
}

TEST(ArrivalBuffer, GrowsGeometricallyWithArrivals) {
    // 16 MiB in 1 KiB chunks: about log2(16 MiB / 4 KiB) = 12 reallocations, never 16 384.
    std::string buffer;
    const std::size_t total = 16u << 20;
    EXPECT_LE(appendInChunks(buffer, total, 1024, total), 14u);
    EXPECT_EQ(buffer.size(), total);
}

TEST(ArrivalBuffer, NeverPassesTheCeilingWhileBelowIt) {
    // A declared 10 000 bytes arriving in 3 000-byte chunks: 4 KiB, 8 KiB, then the ceiling.
    std::string buffer;
    appendInChunks(buffer, 10000, 3000, 10000);
    EXPECT_GE(buffer.capacity(), 10000u);
    EXPECT_LT(buffer.capacity(), 10100u);
}

TEST(ArrivalBuffer, TinyStepsWithAHighCeilingStayLinear) {
    // Many one-byte appends (tiny fragments) below a large ceiling double instead of growing by one.
    std::string buffer;
    EXPECT_LE(appendInChunks(buffer, 100000, 1, 1u << 30), 8u);
}

TEST(ArrivalBuffer, NeededAboveTheCeilingIsStillHonoured) {
    std::string buffer(100, 'a');
    reserveForArrival(buffer, 5000, 200);
    EXPECT_GE(buffer.capacity(), 5000u);
    EXPECT_EQ(buffer, std::string(100, 'a'));  // contents survive the reallocation
}
