#include "monitor/ClusterPoller.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <random>

namespace resound::monitor {

ClusterPoller::ClusterPoller(Reader reader, ReconnectCount reconnects, Options options)
    : reader_(std::move(reader)), reconnects_(std::move(reconnects)), options_(options) {}

ClusterPoller::~ClusterPoller() { stop(); }

void ClusterPoller::start() {
    std::lock_guard lock(mutex_);
    stopping_ = false;
    thread_ = std::thread([this] { run(); });
}

void ClusterPoller::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
}

ClusterPoller::View ClusterPoller::latest() const {
    std::lock_guard lock(mutex_);
    View view = view_;
    if (view.everRead) {
        view.ageSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - takenAt_).count();
    }
    return view;
}

std::chrono::milliseconds ClusterPoller::backoff(std::uint64_t failures, const Options& options,
                                                 double random01) {
    return redis::ReconnectBackoff::delay(failures, {options.backoffMin, options.backoffMax}, random01);
}

void ClusterPoller::run() {
    std::minstd_rand random(std::random_device{}());
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    std::uint64_t failuresInARow = 0;
    for (;;) {
        ClusterSnapshot snapshot = reader_();  // outside the lock: may take up to the Redis timeouts
        const bool ok = snapshot.redisUp;
        if (ok && failuresInARow > 0)
            spdlog::info("redis reachable again after {} failed reads", failuresInARow);
        if (!ok && failuresInARow == 0) spdlog::warn("redis unreachable: {}", snapshot.redisError);
        failuresInARow = ok ? 0 : failuresInARow + 1;

        std::unique_lock lock(mutex_);
        view_.snapshot = std::move(snapshot);
        view_.everRead = true;
        if (!ok) ++view_.failures;
        view_.reconnects = reconnects_ ? reconnects_() : 0;
        takenAt_ = std::chrono::steady_clock::now();
        const auto delay = ok ? options_.interval : backoff(failuresInARow, options_, unit(random));
        if (wake_.wait_for(lock, delay, [this] { return stopping_; })) return;
    }
}

}  // namespace resound::monitor
