#include "webhooks/RetrySchedule.h"

#include <algorithm>

namespace resound::webhooks {

std::optional<std::chrono::milliseconds> nextRetryDelay(const RetryPolicy& policy, int failedAttempts,
                                                        std::chrono::milliseconds elapsed) {
    using std::chrono::milliseconds;
    milliseconds delay = std::max(policy.initialDelay, milliseconds(1));
    for (int i = 1; i < failedAttempts && delay < policy.maxDelay; ++i)
        delay *= 2;  // bounded: stops at the cap
    delay = std::min(delay, std::max(policy.maxDelay, milliseconds(1)));
    if (elapsed + delay > policy.window) return std::nullopt;
    return delay;
}

}  // namespace resound::webhooks
