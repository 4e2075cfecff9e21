#pragma once
// The one reconnect back-off of every Redis client in the project: the edge's CommandClient, LoopLinks and
// Subscriber, the webhook pipeline's RedisWebhookSink and WebhookWorker (redis/BlockingConnection) and the
// monitor's ClusterPoller. After a failure wait `initial`, doubling with each failure in a row up to
// `max`; each wait is scaled by a random factor in [0.5, 1] so processes that lost Redis together do
// not all come back in the same millisecond; a success resets it. A restarting Redis is picked up
// within ~100 ms, a dead one is tried at most every 2 s. One owner (a thread, or its owner's mutex).
#include <chrono>
#include <cstdint>
#include <random>

namespace resound::redis {

struct BackoffPolicy {
    std::chrono::milliseconds initial{100};
    std::chrono::milliseconds max{2000};
};

class ReconnectBackoff {
  public:
    explicit ReconnectBackoff(BackoffPolicy policy = {});

    // One more failure in a row: the wait before the next attempt.
    std::chrono::milliseconds next();
    // A success: the next failure waits `initial` again.
    void reset() { failures_ = 0; }
    std::uint64_t failuresInARow() const { return failures_; }

    // The wait after `failures` (>= 1) failures in a row; `random01` in [0, 1] is the jitter draw
    // (1 = the full doubling delay, 0 = half of it). At least 1 ms.
    static std::chrono::milliseconds delay(std::uint64_t failures, BackoffPolicy policy, double random01);

  private:
    BackoffPolicy policy_;
    std::uint64_t failures_ = 0;
    std::minstd_rand random_;
};

}  // namespace resound::redis
