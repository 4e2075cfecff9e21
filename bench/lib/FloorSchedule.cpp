#include "FloorSchedule.h"

#include <algorithm>
#include <cmath>

namespace resound::bench {

FloorSchedule::FloorSchedule(double rate, std::int64_t durationNs, std::uint64_t connections,
                             std::uint64_t channels)
    : rate_(rate > 0 ? rate : 1),
      durationNs_(std::max<std::int64_t>(durationNs, 0)),
      connections_(connections),
      channels_(std::max<std::uint64_t>(channels, 1)),
      planned_(durationNs_ > 0 ? countUpTo(durationNs_ - 1) : 0) {}

std::int64_t FloorSchedule::offsetOf(std::uint64_t event) const {
    return static_cast<std::int64_t>(std::floor(static_cast<double>(event) * 1e9 / rate_));
}

std::uint64_t FloorSchedule::countUpTo(std::int64_t limitNs) const {
    if (limitNs < 0) return 0;
    // A first guess from the rate, then corrected against offsetOf() itself, so that the count and the
    // offsets can never disagree by a rounding step.
    auto n = static_cast<std::uint64_t>(std::floor(static_cast<double>(limitNs) * rate_ / 1e9)) + 1;
    while (n > 0 && offsetOf(n - 1) > limitNs) --n;
    while (offsetOf(n) <= limitNs) ++n;
    return n;
}

std::uint64_t FloorSchedule::dueBy(std::int64_t elapsedNs) const {
    if (elapsedNs < 0) return 0;
    return std::min(countUpTo(std::min(elapsedNs, durationNs_)), planned_);
}

std::uint64_t FloorSchedule::subscribersOf(std::uint64_t channel) const {
    if (channel >= channels_) return 0;
    return connections_ / channels_ + (channel < connections_ % channels_ ? 1 : 0);
}

std::uint64_t FloorSchedule::framesFor(std::uint64_t connection, std::uint64_t events) const {
    const std::uint64_t channel = channelOfConnection(connection);
    return events > channel ? (events - channel - 1) / channels_ + 1 : 0;
}

std::uint64_t FloorSchedule::deliveriesFor(std::uint64_t events) const {
    // Every full round of C events reaches each connection once; the last partial round reaches the
    // subscribers of channels 0 .. rem-1.
    const std::uint64_t rounds = events / channels_;
    const std::uint64_t rem = events % channels_;
    return rounds * connections_ + rem * (connections_ / channels_) + std::min(rem, connections_ % channels_);
}

}  // namespace resound::bench
