#pragma once
// state::ClusterState shared by every process through Redis (scale-out mode), with the semantics of
// InMemoryClusterState cluster-wide. Each mutation is one EVALSHA that updates the cluster key and
// this node's key atomically (KeySchema / README.md). Thread-safe; every call is one round trip,
// bounded by the CommandClient's timeouts.
//
// This node's contributions are also kept in memory (LocalContributions). That gives:
//  - outages: mutations answer from the local view and never report a cluster transition (first/last
//    subscriber, member joined/left); add returns 0 = "unknown", remove at least 1, join
//    AlreadyPresent, leave false. The real transitions are announced once Redis is back: by the resync
//    (joined/occupied) and by the Reaper when it subtracts the stale generation (left/vacated);
//  - resync without the owner's help: after a failed mutation, a reaped lease or a Redis restart,
//    renewLease() re-registers the local view under a fresh node id (`{name}-g{generation}`) in
//    pipelined script calls, while mutations wait at a gate (so none is counted twice or lost), and
//    retires the previous id (heartbeat score 0) so the next Reaper pass subtracts whatever it still
//    holds. The owner must NOT re-add its state; the listener is told what happened.
// The cluster-wide reads (channels, channel, presenceMembers, cachedEvent, connectionCount) throw
// state::StateUnavailable instead: one node's own contributions are not the cluster's answer (the api
// process has none), so the HTTP API and the dashboards answer 503.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "redis/ClusterScripts.h"
#include "redis/ClusterTransitions.h"
#include "redis/CommandClient.h"
#include "redis/LocalContributions.h"
#include "state/ClusterState.h"

namespace resound::redis {

struct ResyncReport {
    enum class Reason {
        Reconnected,    // a mutation failed (outage) or the node never registered: Redis kept its data
        LeaseReaped,    // a peer's Reaper took this node's lease (it looked dead) and subtracted it
        RedisDataLost,  // the lease vanished without a reaper's tombstone: Redis restarted empty
    };
    Reason reason = Reason::Reconnected;
    std::string previousNodeId;
    std::string nodeId;
    // Joined/occupied transitions the re-registration caused, to announce (TransitionAnnouncer). Empty
    // after RedisDataLost: peers never saw those members leave, so announcing them again would repeat.
    ClusterTransitions transitions;
};

const char* toString(ResyncReport::Reason reason);

class RedisClusterState final : public state::ClusterState {
  public:
    struct Options {
        // Base of this process's node ids; default "<host>-<pid>-<random hex>". No ':' allowed.
        std::string nodeName;
        // False for a process that only reads cluster state (resound-monitor's dashboard): it never
        // appears in resound:nodes and must not call the mutations (storeCachedEvent needs no node).
        bool registerNode = true;
    };

    // Registers the node (one bounded round trip); if Redis is down it starts in outage mode and
    // registers on the first successful NodeLease heartbeat. A process that mutates state must run a
    // NodeLease, or its node is reaped after the lease.
    RedisClusterState(std::shared_ptr<CommandClient> redis, Options options);
    explicit RedisClusterState(std::shared_ptr<CommandClient> redis);

    std::size_t addSubscription(const std::string& appId, const std::string& channel) override;
    std::size_t removeSubscription(const std::string& appId, const std::string& channel) override;
    // Members in join order (cluster-wide). The first join of a user decides its user_info.
    state::PresenceJoin joinPresence(const std::string& appId, const std::string& channel,
                                     const state::PresenceMember& member, std::size_t maxMembers) override;
    bool leavePresence(const std::string& appId, const std::string& channel,
                       const std::string& userKey) override;
    std::vector<state::PresenceMember> presenceMembers(const std::string& appId,
                                                       const std::string& channel) override;
    std::vector<state::ChannelSummary> channels(const std::string& appId, const std::string& prefix) override;
    std::optional<state::ChannelSummary> channel(const std::string& appId, const std::string& name) override;
    void storeCachedEvent(const std::string& appId, const std::string& channel, const std::string& eventJson,
                          int ttlSeconds) override;
    std::optional<state::CachedEvent> cachedEvent(const std::string& appId,
                                                  const std::string& channel) override;
    bool tryAddConnection(const std::string& appId, std::size_t limit) override;
    void removeConnection(const std::string& appId) override;
    std::size_t connectionCount(const std::string& appId) override;

    // The current node id (changes with each resync).
    std::string nodeId() const;
    // Redis reachable and this node's contributions registered: answers are cluster-wide. False means
    // mutations answer from the local view and reads may throw state::StateUnavailable.
    bool available() const;

    // Called on the NodeLease thread after each successful re-registration (not during one). The
    // listener should hand report.transitions to a TransitionAnnouncer; it must not re-add state.
    using ResyncListener = std::function<void(const ResyncReport&)>;
    void setResyncListener(ResyncListener listener);

    // --- Lease upkeep, driven by NodeLease --------------------------------------------------------
    // Heartbeat (ZADD resound:nodes + stats hash with EXPIRE statsTtl), then resync if the lease was lost
    // or a mutation failed. False if Redis did not answer.
    bool renewLease(const std::map<std::string, std::string>& stats, std::chrono::seconds statsTtl);
    // Called (under this object's mutex: keep it to a notify) when a mutation finds the lease gone.
    void setLeaseWaker(std::function<void()> waker);

  private:
    class Mutation;
    friend class RedisLoopClusterState;

    // The second half of each mutation, shared by the synchronous calls and RedisLoopClusterState:
    // updates the local view from the script's result (answered from it unless ok()) and returns the
    // answer.
    std::size_t finishAddSubscription(const std::string& appId, const std::string& channel,
                                      const ScriptResult<scripts::AddSubscription::Answer>& result);
    std::size_t finishRemoveSubscription(const std::string& appId, const std::string& channel,
                                         const ScriptResult<scripts::RemoveSubscription::Answer>& result);
    state::PresenceJoin finishJoinPresence(const std::string& appId, const std::string& channel,
                                           const state::PresenceMember& member, std::size_t maxMembers,
                                           ScriptResult<scripts::JoinPresence::Answer> result);
    bool finishLeavePresence(const std::string& appId, const std::string& channel, const std::string& userKey,
                             const ScriptResult<scripts::LeavePresence::Answer>& result);
    bool finishTryAddConnection(const std::string& appId, std::size_t limit,
                                const ScriptResult<scripts::AddConnection::Answer>& result);
    void finishRemoveConnection(const std::string& appId,
                                const ScriptResult<scripts::RemoveConnection::Answer>& result);
    std::vector<state::PresenceMember> localMembers(const std::string& appId, const std::string& channel);

    using Clock = std::chrono::steady_clock;

    // Records why a mutation's result was not usable; dirty until the next successful resync.
    void noteFailureLocked(const ScriptOutcome& outcome);
    bool resync(ResyncReport::Reason reason);
    bool registerNode(const std::string& nodeId);
    // Heartbeats return Redis server time; with the local send/answer times that gives the offset
    // between the two clocks (error about half a round trip).
    void learnServerClock(std::int64_t serverMs, Clock::time_point sent, Clock::time_point answered);
    // The fence for a mutation sent now: the server time (unix ms) by which this call will certainly
    // have given up (now + the caller's timeout), minus a margin for the clock estimate. 0 while unknown.
    std::int64_t fence() const;
    std::int64_t fence(std::chrono::milliseconds timeout) const;
    std::string makeNodeIdLocked() const;

    const std::shared_ptr<CommandClient> redis_;
    const std::string nodeName_;
    std::atomic<std::int64_t> clockOffsetMs_{0};
    std::atomic<bool> clockKnown_{false};

    mutable std::mutex mutex_;
    std::condition_variable gateCv_;
    bool resyncing_ = false;
    std::size_t inflight_ = 0;
    std::uint64_t generation_ = 1;
    std::string nodeId_;
    bool registered_ = false;
    bool dirty_ = false;
    // A loop's asynchronous mutation arrived while a resync ran: answered from the local view; the
    // resync that ends is followed by another, which registers it.
    bool lateMutations_ = false;
    LocalContributions local_;
    ResyncListener listener_;
    std::function<void()> leaseWaker_;
    // Lease thread only: why the last resync was needed, kept while it has not succeeded, so a retry
    // after a failed re-registration still knows e.g. that Redis lost its data.
    std::optional<ResyncReport::Reason> pendingReason_;
};

}  // namespace resound::redis
