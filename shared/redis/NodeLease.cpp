#include "redis/NodeLease.h"

namespace resound::redis {

NodeLease::NodeLease(RedisClusterState& state, StatsProvider stats, NodeLeaseOptions options)
    : state_(state), stats_(std::move(stats)), options_(options) {
    state_.setLeaseWaker([this] {
        std::lock_guard lock(mutex_);
        wakeRequested_ = true;
        cv_.notify_all();
    });
    thread_ = std::thread([this] { run(); });
}

NodeLease::~NodeLease() {
    state_.setLeaseWaker(nullptr);
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    cv_.notify_all();
    thread_.join();
}

bool NodeLease::healthy() const {
    std::lock_guard lock(mutex_);
    return healthy_;
}

void NodeLease::run() {
    for (;;) {
        const bool ok =
            state_.renewLease(stats_ ? stats_() : std::map<std::string, std::string>{}, options_.statsTtl);
        std::unique_lock lock(mutex_);
        healthy_ = ok;
        cv_.wait_for(lock, ok ? options_.interval : options_.retryInterval,
                     [&] { return stopping_ || wakeRequested_; });
        if (stopping_) return;
        wakeRequested_ = false;
    }
}

}  // namespace resound::redis
