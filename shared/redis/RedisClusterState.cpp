#include "redis/RedisClusterState.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>

#include "crypto/Random.h"
#include "json/JsonText.h"
#include "redis/CacheStoreCommand.h"
#include "redis/CachedEventRead.h"
#include "redis/ChannelCountsRead.h"
#include "redis/ConnectionCountRead.h"
#include "redis/KeySchema.h"
#include "redis/PresenceMembersRead.h"
#include "redis/ScriptPipeline.h"
#include "util/ProcessId.h"

namespace resound::redis {
namespace {

// Re-registration sends this many script calls per round trip.
constexpr std::size_t kResyncBatch = 1000;

}  // namespace

const char* toString(ResyncReport::Reason reason) {
    switch (reason) {
        case ResyncReport::Reason::Reconnected:
            return "reconnected";
        case ResyncReport::Reason::LeaseReaped:
            return "lease reaped";
        case ResyncReport::Reason::RedisDataLost:
            return "redis data lost";
    }
    return "?";
}

// Holds a mutation at the gate while a resync runs, and keeps the resync waiting until in-flight
// mutations (which captured the previous node id) have finished and updated the local view.
class RedisClusterState::Mutation {
  public:
    explicit Mutation(RedisClusterState& state) : state_(state) {
        std::unique_lock lock(state_.mutex_);
        state_.gateCv_.wait(lock, [&] { return !state_.resyncing_; });
        ++state_.inflight_;
        nodeId = state_.nodeId_;
    }
    ~Mutation() {
        std::lock_guard lock(state_.mutex_);
        if (--state_.inflight_ == 0 && state_.resyncing_) state_.gateCv_.notify_all();
    }
    Mutation(const Mutation&) = delete;
    Mutation& operator=(const Mutation&) = delete;

    std::string nodeId;

  private:
    RedisClusterState& state_;
};

RedisClusterState::RedisClusterState(std::shared_ptr<CommandClient> redis)
    : RedisClusterState(std::move(redis), Options{}) {}

RedisClusterState::RedisClusterState(std::shared_ptr<CommandClient> redis, Options options)
    : redis_(std::move(redis)),
      nodeName_(options.nodeName.empty() ? util::uniqueProcessId("node") : options.nodeName) {
    nodeId_ = makeNodeIdLocked();
    if (!options.registerNode) return;
    registered_ = registerNode(nodeId_);
    dirty_ = !registered_;
    if (registered_) spdlog::info("cluster state registered as node {}", nodeId_);
}

std::string RedisClusterState::makeNodeIdLocked() const {
    return nodeName_ + "-g" + std::to_string(generation_);
}

std::string RedisClusterState::nodeId() const {
    std::lock_guard lock(mutex_);
    return nodeId_;
}

bool RedisClusterState::available() const {
    std::lock_guard lock(mutex_);
    return redis_->available() && registered_ && !dirty_;
}

void RedisClusterState::setResyncListener(ResyncListener listener) {
    std::lock_guard lock(mutex_);
    listener_ = std::move(listener);
}

void RedisClusterState::setLeaseWaker(std::function<void()> waker) {
    std::lock_guard lock(mutex_);
    leaseWaker_ = std::move(waker);
}

void RedisClusterState::noteFailureLocked(const ScriptOutcome& outcome) {
    const bool worthLogging =
        outcome.status == ScriptStatus::RedisError || outcome.status == ScriptStatus::UnexpectedReply;
    if (worthLogging && !dirty_) spdlog::error("cluster state script failed: {}", outcome.error);
    dirty_ = true;
    if (outcome.status == ScriptStatus::LeaseLost && leaseWaker_) leaseWaker_();
}

// ---- subscriptions ---------------------------------------------------------------------------------

std::size_t RedisClusterState::addSubscription(const std::string& appId, const std::string& channel) {
    Mutation m(*this);
    return finishAddSubscription(
        appId, channel, runScript(*redis_, scripts::AddSubscription{m.nodeId, appId, channel, 1, fence()}));
}

std::size_t RedisClusterState::finishAddSubscription(
    const std::string& appId, const std::string& channel,
    const ScriptResult<scripts::AddSubscription::Answer>& result) {
    std::lock_guard lock(mutex_);
    local_.addSubscription(appId, channel);
    if (result.ok()) return result.answer;
    noteFailureLocked(result);
    return 0;  // unknown: never reports "first subscriber" without the cluster count
}

std::size_t RedisClusterState::removeSubscription(const std::string& appId, const std::string& channel) {
    Mutation m(*this);
    return finishRemoveSubscription(
        appId, channel, runScript(*redis_, scripts::RemoveSubscription{m.nodeId, appId, channel, fence()}));
}

std::size_t RedisClusterState::finishRemoveSubscription(
    const std::string& appId, const std::string& channel,
    const ScriptResult<scripts::RemoveSubscription::Answer>& result) {
    std::lock_guard lock(mutex_);
    const std::size_t localLeft = local_.removeSubscription(appId, channel);
    if (result.ok()) return result.answer;
    noteFailureLocked(result);
    return std::max<std::size_t>(localLeft, 1);  // never reports "vacated" without the cluster count
}

// ---- presence --------------------------------------------------------------------------------------

state::PresenceJoin RedisClusterState::joinPresence(const std::string& appId, const std::string& channel,
                                                    const state::PresenceMember& member,
                                                    std::size_t maxMembers) {
    Mutation m(*this);
    scripts::JoinPresence join{m.nodeId, appId, channel, member, maxMembers};
    join.fenceMs = fence();
    return finishJoinPresence(appId, channel, member, maxMembers, runScript(*redis_, join));
}

state::PresenceJoin RedisClusterState::finishJoinPresence(
    const std::string& appId, const std::string& channel, const state::PresenceMember& member,
    std::size_t maxMembers, ScriptResult<scripts::JoinPresence::Answer> result) {
    std::lock_guard lock(mutex_);
    if (!result.ok()) {
        noteFailureLocked(result);
        // Local view; "AlreadyPresent" so no member_added goes out before the cluster knows.
        const bool present = local_.hasMember(appId, channel, member.userKey);
        if (!present && maxMembers > 0 && local_.members(appId, channel).size() >= maxMembers)
            return state::PresenceJoin{state::PresenceJoinStatus::RosterFull, {}};
        local_.joinPresence(appId, channel, member);
        return state::PresenceJoin{state::PresenceJoinStatus::AlreadyPresent, local_.members(appId, channel)};
    }
    if (result.answer.status != state::PresenceJoinStatus::RosterFull)
        local_.joinPresence(appId, channel, member);
    return std::move(result.answer);
}

bool RedisClusterState::leavePresence(const std::string& appId, const std::string& channel,
                                      const std::string& userKey) {
    Mutation m(*this);
    return finishLeavePresence(
        appId, channel, userKey,
        runScript(*redis_, scripts::LeavePresence{m.nodeId, appId, channel, userKey, fence()}));
}

bool RedisClusterState::finishLeavePresence(const std::string& appId, const std::string& channel,
                                            const std::string& userKey,
                                            const ScriptResult<scripts::LeavePresence::Answer>& result) {
    std::lock_guard lock(mutex_);
    local_.leavePresence(appId, channel, userKey);
    if (result.ok()) return result.answer.userLeft;
    noteFailureLocked(result);
    return false;  // member_removed is announced by the Reaper once the cluster count is known
}

std::vector<state::PresenceMember> RedisClusterState::presenceMembers(const std::string& appId,
                                                                      const std::string& channel) {
    const PresenceMembersRead read(appId, channel);
    Pipeline pipeline;
    pipeline.command(read.orderCommand());
    pipeline.command(read.infoCommand());
    std::vector<RespValue> replies;
    if (!redis_->execute(pipeline, replies))
        throw state::StateUnavailable("the presence roster could not be read from Redis");
    return read.members(replies[0], replies[1]);
}

std::vector<state::PresenceMember> RedisClusterState::localMembers(const std::string& appId,
                                                                   const std::string& channel) {
    std::lock_guard lock(mutex_);
    return local_.members(appId, channel);
}

// ---- channel queries -------------------------------------------------------------------------------

std::vector<state::ChannelSummary> RedisClusterState::channels(const std::string& appId,
                                                               const std::string& prefix) {
    auto listed = runScript(*redis_, scripts::ListChannels{appId, prefix});
    if (!listed.ok()) {
        if (listed.status != ScriptStatus::NoAnswer)
            spdlog::error("listing channels failed: {}", listed.error);
        throw state::StateUnavailable("the channel list could not be read from Redis");
    }
    return std::move(listed.answer);
}

std::optional<state::ChannelSummary> RedisClusterState::channel(const std::string& appId,
                                                                const std::string& name) {
    const ChannelCountsRead read(appId, name);
    Pipeline pipeline;
    pipeline.command(read.subscriptionsCommand());
    pipeline.command(read.usersCommand());
    std::vector<RespValue> replies;
    if (!redis_->execute(pipeline, replies))
        throw state::StateUnavailable("the channel could not be read from Redis");
    return read.summary(replies[0], replies[1]);
}

// ---- cache channels --------------------------------------------------------------------------------

void RedisClusterState::storeCachedEvent(const std::string& appId, const std::string& channel,
                                         const std::string& eventJson, int ttlSeconds) {
    const CacheStoreCommand store(appId, channel, eventJson, ttlSeconds);
    redis_->command(store.args());
}

std::optional<state::CachedEvent> RedisClusterState::cachedEvent(const std::string& appId,
                                                                 const std::string& channel) {
    const CachedEventRead read(appId, channel);
    Pipeline pipeline;
    pipeline.command(read.valueCommand());
    pipeline.command(read.ttlCommand());
    std::vector<RespValue> replies;
    if (!redis_->execute(pipeline, replies))
        throw state::StateUnavailable("the cached event could not be read from Redis");
    return read.event(std::move(replies[0]), replies[1]);
}

// ---- connections -----------------------------------------------------------------------------------

bool RedisClusterState::tryAddConnection(const std::string& appId, std::size_t limit) {
    Mutation m(*this);
    return finishTryAddConnection(
        appId, limit, runScript(*redis_, scripts::AddConnection{m.nodeId, appId, limit, 1, fence()}));
}

bool RedisClusterState::finishTryAddConnection(const std::string& appId, std::size_t limit,
                                               const ScriptResult<scripts::AddConnection::Answer>& result) {
    std::lock_guard lock(mutex_);
    if (result.ok()) {
        if (result.answer == scripts::AddConnection::Answer::AtLimit) return false;
        local_.addConnection(appId);
        return true;
    }
    noteFailureLocked(result);
    if (limit > 0 && local_.connections(appId) >= limit) return false;
    local_.addConnection(appId);
    return true;
}

void RedisClusterState::removeConnection(const std::string& appId) {
    Mutation m(*this);
    finishRemoveConnection(appId, runScript(*redis_, scripts::RemoveConnection{m.nodeId, appId, fence()}));
}

void RedisClusterState::finishRemoveConnection(
    const std::string& appId, const ScriptResult<scripts::RemoveConnection::Answer>& result) {
    std::lock_guard lock(mutex_);
    local_.removeConnection(appId);
    if (!result.ok()) noteFailureLocked(result);
}

std::size_t RedisClusterState::connectionCount(const std::string& appId) {
    const ConnectionCountRead read(appId);
    const auto reply = redis_->command(read.command());
    if (!reply) throw state::StateUnavailable("the connection count could not be read from Redis");
    return read.count(*reply);
}

// ---- lease and resync ------------------------------------------------------------------------------

bool RedisClusterState::registerNode(const std::string& nodeId) {
    const auto sent = Clock::now();
    const auto beat =
        runScript(*redis_, scripts::Heartbeat{nodeId, /*mustExist=*/false, std::chrono::seconds{30}, {}});
    if (!beat.ok() || beat.answer.lease != scripts::Heartbeat::Answer::Lease::Renewed) return false;
    learnServerClock(beat.answer.serverTimeMs, sent, Clock::now());
    return true;
}

void RedisClusterState::learnServerClock(std::int64_t serverMs, Clock::time_point sent,
                                         Clock::time_point answered) {
    const auto midpoint = std::chrono::duration_cast<std::chrono::milliseconds>(
                              (sent.time_since_epoch() + answered.time_since_epoch()) / 2)
                              .count();
    clockOffsetMs_.store(serverMs - midpoint, std::memory_order_relaxed);
    clockKnown_.store(true, std::memory_order_release);
}

std::int64_t RedisClusterState::fence() const { return fence(redis_->callTimeout()); }

std::int64_t RedisClusterState::fence(std::chrono::milliseconds timeout) const {
    if (!clockKnown_.load(std::memory_order_acquire)) return 0;
    const auto now =
        std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now().time_since_epoch()).count();
    return now + clockOffsetMs_.load(std::memory_order_relaxed) + timeout.count() - timeout.count() / 4;
}

bool RedisClusterState::renewLease(const std::map<std::string, std::string>& stats,
                                   std::chrono::seconds statsTtl) {
    // At most one resync per call; the second pass writes the heartbeat and stats for the new id.
    for (int pass = 0; pass < 2; ++pass) {
        std::string id;
        bool registered, dirty;
        {
            std::lock_guard lock(mutex_);
            id = nodeId_;
            registered = registered_;
            dirty = dirty_;
        }
        if (!registered) {
            if (pass > 0) return false;
            // Probe before spending a generation on a resync that cannot succeed.
            const auto pong = redis_->command({"PING"});
            if (!pong || pong->isError()) return false;
            if (!resync(pendingReason_.value_or(ResyncReport::Reason::Reconnected))) return false;
            continue;
        }
        const auto sent = Clock::now();
        const auto beat = runScript(*redis_, scripts::Heartbeat{id, /*mustExist=*/true, statsTtl, stats});
        if (!beat.ok()) {
            if (beat.status != ScriptStatus::NoAnswer)
                spdlog::error("heartbeat script failed: {}", beat.error);
            return false;
        }
        using Lease = scripts::Heartbeat::Answer::Lease;
        if (beat.answer.lease == Lease::Renewed)
            learnServerClock(beat.answer.serverTimeMs, sent, Clock::now());
        if (pass > 0) return beat.answer.lease == Lease::Renewed;
        if (beat.answer.lease == Lease::VanishedWithoutTrace) {
            if (!resync(ResyncReport::Reason::RedisDataLost)) return false;
        } else if (beat.answer.lease == Lease::ReapedByPeer) {
            if (!resync(ResyncReport::Reason::LeaseReaped)) return false;
        } else if (dirty) {
            if (!resync(ResyncReport::Reason::Reconnected)) return false;
        } else {
            return true;
        }
    }
    return true;
}

bool RedisClusterState::resync(ResyncReport::Reason reason) {
    LocalContributions::Snapshot snapshot;
    ResyncReport report;
    report.reason = reason;
    {
        std::unique_lock lock(mutex_);
        resyncing_ = true;
        gateCv_.wait(lock, [&] { return inflight_ == 0; });
        snapshot = local_.snapshot();
        report.previousNodeId = nodeId_;
        ++generation_;
        nodeId_ = makeNodeIdLocked();
        report.nodeId = nodeId_;
        registered_ = false;
    }
    const std::string& id = report.nodeId;
    bool ok = registerNode(id);

    // Every local contribution, one script call each, kResyncBatch calls per round trip. Each result
    // goes to the callback added with its call; the first refusal stops the resync.
    ScriptPipeline batch;
    std::int64_t batchFence = fence();
    auto refused = [&](const ScriptOutcome& outcome) {
        if (!ok) return;
        ok = false;
        if (outcome.status != ScriptStatus::NoAnswer)
            spdlog::error("cluster state re-registration refused: {} ({})", toString(outcome.status),
                          outcome.error);
    };
    auto sendIfFull = [&](bool last) {
        if (!ok || batch.empty() || (!last && batch.size() < kResyncBatch)) return;
        batch.execute(*redis_);  // a failed round trip reaches the callbacks as NoAnswer
        batchFence = fence();
    };
    for (const auto& s : snapshot.subscriptions) {
        if (!ok) break;
        batch.add(scripts::AddSubscription{id, s.appId, s.channel, s.count, batchFence},
                  [&, sub = &s](const ScriptResult<scripts::AddSubscription::Answer>& result) {
                      if (!result.ok()) return refused(result);
                      // Our count is the whole count: the channel was vacant without us.
                      if (result.answer == sub->count)
                          report.transitions.occupied.push_back({sub->appId, sub->channel});
                  });
        sendIfFull(false);
    }
    for (const auto& p : snapshot.memberships) {
        if (!ok) break;
        scripts::JoinPresence join{id, p.appId, p.channel, p.member, /*maxMembers=*/0, p.count};
        join.withRoster = false;
        join.fenceMs = batchFence;
        batch.add(join, [&, membership = &p](const ScriptResult<scripts::JoinPresence::Answer>& result) {
            if (!result.ok()) return refused(result);
            if (result.answer.status == state::PresenceJoinStatus::Joined)
                report.transitions.joined.push_back(
                    {membership->appId, membership->channel, membership->member});
        });
        sendIfFull(false);
    }
    for (const auto& c : snapshot.connections) {
        if (!ok) break;
        batch.add(scripts::AddConnection{id, c.appId, /*limit=*/0, c.count, batchFence},
                  [&refused](const ScriptResult<scripts::AddConnection::Answer>& result) {
                      if (!result.ok()) return refused(result);
                      if (result.answer != scripts::AddConnection::Answer::Admitted)
                          refused({ScriptStatus::UnexpectedReply,
                                   "a connection count without a limit was refused"});
                  });
        sendIfFull(false);
    }
    sendIfFull(true);

    const std::string nodes = keys::nodes();
    if (ok) {
        // The previous id stops heartbeating now; score 0 lets the next Reaper pass subtract what it
        // still holds instead of waiting for its lease to run out.
        redis_->command({"ZADD", nodes, "XX", "0", report.previousNodeId});
    }

    pendingReason_ = ok ? std::nullopt : std::optional(reason);
    ResyncListener listener;
    {
        std::lock_guard lock(mutex_);
        resyncing_ = false;
        registered_ = ok;
        dirty_ = !ok || lateMutations_;  // late mutations are registered by the next resync
        lateMutations_ = false;
        if (ok) listener = listener_;
    }
    gateCv_.notify_all();
    if (!ok) {
        redis_->command({"ZADD", nodes, "XX", "0", id});  // retire a partial registration (best effort)
        spdlog::warn("cluster state re-registration as {} failed ({}); will retry", id, toString(reason));
        return false;
    }
    if (reason == ResyncReport::Reason::RedisDataLost) report.transitions = ClusterTransitions{};
    spdlog::info(
        "cluster state re-registered as node {} ({}): {} subscriptions, {} presence memberships, "
        "{} connection counts; previous id {}",
        id, toString(reason), snapshot.subscriptions.size(), snapshot.memberships.size(),
        snapshot.connections.size(), report.previousNodeId);
    if (listener) listener(report);
    return true;
}

}  // namespace resound::redis
