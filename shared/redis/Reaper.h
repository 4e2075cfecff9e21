#pragma once
// Subtracts dead nodes from the cluster state. Runs in every edge and in the monitor: each pass, nodes
// whose heartbeat (Redis server time) is older than the lease are claimed atomically (ZREM answers 1
// to exactly one reaper) and one Lua script subtracts their contributions and returns the transitions
// (presence users whose refcount reached 0, channels that became empty), which are announced once
// through the TransitionAnnouncer (member_removed frames + webhooks).
//
// Bound: a node killed with -9 disappears within lease + interval (10 s + 3 s = 13 s by default).
// After this reaper could not reach Redis, it waits one full lease of working contact before reaping
// again, so a paused or restarted Redis (every heartbeat late at once) does not get every node reaped.
// Owns its thread; thread-safe.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "redis/ClusterTransitions.h"
#include "redis/CommandClient.h"
#include "redis/TransitionAnnouncer.h"

namespace resound::redis {

struct ReaperOptions {
    std::chrono::milliseconds lease{10000};    // a node silent this long is dead
    std::chrono::milliseconds interval{3000};  // between passes
    std::size_t nodesPerScript = 16;           // bounds one script's run time in Redis
    std::chrono::hours tombstoneTtl{24};       // how long a reaped node can still learn it was reaped
    bool runThread = true;                     // false: only explicit reapExpired()/reapNode() (tests)
};

struct ReapResult {
    bool ok = false;  // Redis answered
    std::vector<std::string> nodes;
    ClusterTransitions transitions;  // left and vacated only
};

class Reaper {
  public:
    Reaper(std::shared_ptr<CommandClient> redis, TransitionAnnouncer& announcer, ReaperOptions options = {});
    ~Reaper();
    Reaper(const Reaper&) = delete;
    Reaper& operator=(const Reaper&) = delete;

    // One pass now (what the thread does every interval, minus the wait after an outage), announced.
    ReapResult reapExpired();
    // Claims one node whatever its age (e.g. this process's own node at graceful shutdown), announced.
    ReapResult reapNode(const std::string& nodeId);

    std::uint64_t reapedNodes() const { return reapedNodes_.load(std::memory_order_acquire); }

  private:
    using Clock = std::chrono::steady_clock;

    void run();
    ReapResult reap(const std::string& nodeId);

    const std::shared_ptr<CommandClient> redis_;
    TransitionAnnouncer& announcer_;
    const ReaperOptions options_;
    std::atomic<std::uint64_t> reapedNodes_{0};

    std::mutex mutex_;
    std::condition_variable cv_;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace resound::redis
