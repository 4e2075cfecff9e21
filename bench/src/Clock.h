#pragma once
// Time sources for the load generator. CLOCK_MONOTONIC is shared by the publisher (stamps) and the
// subscribers (receipt) because both run on this machine. Any thread.
#include <time.h>

#include <cstdint>

namespace resound::bench {

inline std::int64_t monotonicNs() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

inline std::int64_t unixSeconds() {
    timespec ts{};
    clock_gettime(CLOCK_REALTIME, &ts);
    return ts.tv_sec;
}

inline constexpr std::int64_t kNsPerSecond = 1'000'000'000;
inline constexpr std::int64_t kNsPerMs = 1'000'000;

}  // namespace resound::bench
