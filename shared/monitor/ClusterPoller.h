#pragma once
// Keeps a recent ClusterSnapshot for the monitor's HTTP threads: one thread reads Redis every
// `interval`, and after a failed read retries with jittered exponential back-off (min..max), forever.
// HTTP answers never wait for Redis. start()/stop() from main; latest() from any thread.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>

#include "monitor/ClusterReport.h"
#include "redis/ReconnectBackoff.h"

namespace resound::monitor {

class ClusterPoller {
  public:
    struct Options {
        std::chrono::milliseconds interval{2000};  // the nodes heartbeat every 2 s
        // Failed reads back off with redis::ReconnectBackoff between these bounds.
        std::chrono::milliseconds backoffMin = redis::BackoffPolicy{}.initial;
        std::chrono::milliseconds backoffMax = redis::BackoffPolicy{}.max;
    };
    using Reader = std::function<ClusterSnapshot()>;
    using ReconnectCount = std::function<std::uint64_t()>;

    struct View {
        ClusterSnapshot snapshot;
        bool everRead = false;  // false until the first read finished (success or not)
        double ageSeconds = 0;  // since that snapshot was taken
        std::uint64_t failures = 0;
        std::uint64_t reconnects = 0;
    };

    ClusterPoller(Reader reader, ReconnectCount reconnects, Options options);
    ~ClusterPoller();  // stops

    void start();
    void stop();
    View latest() const;

    // The delay before retry number `failures` (1, 2, ...): min * 2^(failures-1), capped at max, then
    // scaled by a random factor in [0.5, 1] so replicas do not retry in lockstep.
    static std::chrono::milliseconds backoff(std::uint64_t failures, const Options& options, double random01);

  private:
    void run();

    Reader reader_;
    ReconnectCount reconnects_;
    Options options_;

    mutable std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    View view_;
    std::chrono::steady_clock::time_point takenAt_{};
    std::thread thread_;
};

}  // namespace resound::monitor
