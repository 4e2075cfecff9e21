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

// CLOCK_REALTIME - CLOCK_MONOTONIC now, to bring kernel receive timestamps (realtime) onto the
// monotonic clock of the stamps. Good for a run of minutes unless the wall clock is stepped.
inline std::int64_t realtimeMinusMonotonicNs() {
    timespec mono{}, real{};
    clock_gettime(CLOCK_MONOTONIC, &mono);
    clock_gettime(CLOCK_REALTIME, &real);
    return (static_cast<std::int64_t>(real.tv_sec) - mono.tv_sec) * 1'000'000'000 +
           (real.tv_nsec - mono.tv_nsec);
}

inline constexpr std::int64_t kNsPerSecond = 1'000'000'000;
inline constexpr std::int64_t kNsPerMs = 1'000'000;

}  // namespace resound::bench
