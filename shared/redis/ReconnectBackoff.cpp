#include "redis/ReconnectBackoff.h"

#include <algorithm>

namespace resound::redis {

ReconnectBackoff::ReconnectBackoff(BackoffPolicy policy)
    : policy_(policy), random_(static_cast<std::minstd_rand::result_type>(std::random_device{}())) {}

std::chrono::milliseconds ReconnectBackoff::next() {
    ++failures_;
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    return delay(failures_, policy_, unit(random_));
}

std::chrono::milliseconds ReconnectBackoff::delay(std::uint64_t failures, BackoffPolicy policy,
                                                  double random01) {
    const std::uint64_t shift = std::min<std::uint64_t>(failures == 0 ? 0 : failures - 1, 20);
    const std::int64_t raw = std::min<std::int64_t>(policy.initial.count() << shift, policy.max.count());
    const double factor = 0.5 + 0.5 * std::clamp(random01, 0.0, 1.0);
    return std::chrono::milliseconds(std::max<std::int64_t>(1, static_cast<std::int64_t>(raw * factor)));
}

}  // namespace resound::redis
