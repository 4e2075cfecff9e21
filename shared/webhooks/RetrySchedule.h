#pragma once
// When to try a failed webhook request again: exponential backoff (initial, doubled each time, capped)
// for at most `window` after the request was made, then give up (Pusher retries for 5 minutes). Pure.
#include <chrono>
#include <optional>

namespace resound::webhooks {

struct RetryPolicy {
    std::chrono::milliseconds initialDelay{1000};
    std::chrono::milliseconds maxDelay{60000};
    std::chrono::milliseconds window{300000};  // from the request's creation; 0 = a single attempt
};

// The wait before the next attempt after `failedAttempts` failures (>= 1), `elapsed` after the request
// was made; nullopt when that attempt would start after the window: give up.
std::optional<std::chrono::milliseconds> nextRetryDelay(const RetryPolicy& policy, int failedAttempts,
                                                        std::chrono::milliseconds elapsed);

}  // namespace resound::webhooks
