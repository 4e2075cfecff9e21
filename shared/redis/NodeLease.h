#pragma once
// Keeps this process's node alive in resound:nodes: a thread that heartbeats every `interval`
// (ZADD with Redis server time + the stats hash, EXPIRE statsTtl) through RedisClusterState, which also
// resyncs there when the lease was lost or a mutation failed. Retries every retryInterval while Redis
// is unreachable, and at once when a mutation finds the lease gone. Owns its thread; destroy it before
// the RedisClusterState.
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include "redis/RedisClusterState.h"

namespace resound::redis {

struct NodeLeaseOptions {
    std::chrono::milliseconds interval{2000};
    std::chrono::milliseconds retryInterval{500};
    std::chrono::seconds statsTtl{30};
};

class NodeLease {
  public:
    // Returns the stats written with each heartbeat, e.g. service, version, host, started_at,
    // connections, channels, messages_in, messages_out, bytes_in, bytes_out, http_requests.
    // Called on the lease thread.
    using StatsProvider = std::function<std::map<std::string, std::string>()>;

    NodeLease(RedisClusterState& state, StatsProvider stats, NodeLeaseOptions options = {});
    ~NodeLease();  // stops heartbeating; the lease then runs out unless the owner reaps the node itself
    NodeLease(const NodeLease&) = delete;
    NodeLease& operator=(const NodeLease&) = delete;

    bool healthy() const;  // the last heartbeat was written

  private:
    void run();

    RedisClusterState& state_;
    const StatsProvider stats_;
    const NodeLeaseOptions options_;

    mutable std::mutex mutex_;
    std::condition_variable cv_;
    bool stopping_ = false;
    bool wakeRequested_ = false;
    bool healthy_ = false;
    std::thread thread_;
};

}  // namespace resound::redis
