#include "redis/RedisClusterState.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <unordered_map>

#include "crypto/Random.h"
#include "json/JsonText.h"
#include "redis/ClusterScripts.h"
#include "redis/KeySchema.h"
#include "redis/PresenceInfo.h"
#include "util/ProcessId.h"

namespace resound::redis {
namespace {

using Views = std::vector<std::string_view>;

// Re-registration sends this many script calls per round trip.
constexpr std::size_t kResyncBatch = 1000;

std::optional<std::int64_t> integerOf(const RespValue& value) {
    if (value.isInteger()) return value.integer;
    if (value.type != RespValue::Type::BulkString) return std::nullopt;
    std::int64_t n = 0;
    const auto* end = value.text.data() + value.text.size();
    const auto result = std::from_chars(value.text.data(), end, n);
    if (result.ec != std::errc() || result.ptr != end) return std::nullopt;
    return n;
}

// -1 from a mutation script: the node's lease is gone.
bool isLeaseLost(const std::optional<RespValue>& reply) {
    if (!reply) return false;
    if (reply->isInteger()) return reply->integer == -1;
    return reply->isArray() && !reply->elements.empty() && reply->elements[0].isInteger() &&
           reply->elements[0].integer == -1;
}

state::PresenceMember memberFrom(std::string_view userKey, std::string_view stored) {
    if (auto member = decodePresenceInfo(userKey, stored)) return std::move(*member);
    return state::PresenceMember{std::string(userKey), json::quoted(userKey), "null"};
}

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
    : redis_(std::move(redis)), nodeName_(options.nodeName.empty() ? util::uniqueProcessId("node") : options.nodeName) {
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

void RedisClusterState::noteFailureLocked(const std::optional<RespValue>& reply) {
    if (reply && reply->isError() && !dirty_) spdlog::error("cluster state script failed: {}", reply->text);
    dirty_ = true;
    if (isLeaseLost(reply) && leaseWaker_) leaseWaker_();
}

// ---- subscriptions ---------------------------------------------------------------------------------

std::size_t RedisClusterState::addSubscription(const std::string& appId, const std::string& channel) {
    Mutation m(*this);
    const std::string nodes = keys::nodes(), counts = keys::channels(appId),
                      mine = keys::nodeSubscriptions(m.nodeId),
                      field = keys::subscriptionField(appId, channel);
    const auto reply = redis_->eval(scripts::addSubscription(), Views{nodes, counts, mine},
                                    Views{m.nodeId, channel, field, "1", fence()});
    return finishAddSubscription(appId, channel, reply);
}

std::size_t RedisClusterState::finishAddSubscription(const std::string& appId, const std::string& channel,
                                                     const std::optional<RespValue>& reply) {
    std::lock_guard lock(mutex_);
    local_.addSubscription(appId, channel);
    if (reply && reply->isInteger() && reply->integer >= 0) return static_cast<std::size_t>(reply->integer);
    noteFailureLocked(reply);
    return 0;  // unknown: never reports "first subscriber" without the cluster count
}

std::size_t RedisClusterState::removeSubscription(const std::string& appId, const std::string& channel) {
    Mutation m(*this);
    const std::string nodes = keys::nodes(), counts = keys::channels(appId),
                      mine = keys::nodeSubscriptions(m.nodeId),
                      field = keys::subscriptionField(appId, channel);
    const auto reply = redis_->eval(scripts::removeSubscription(), Views{nodes, counts, mine},
                                    Views{m.nodeId, channel, field, fence()});
    return finishRemoveSubscription(appId, channel, reply);
}

std::size_t RedisClusterState::finishRemoveSubscription(const std::string& appId, const std::string& channel,
                                                        const std::optional<RespValue>& reply) {
    std::lock_guard lock(mutex_);
    const std::size_t localLeft = local_.removeSubscription(appId, channel);
    if (reply && reply->isInteger() && reply->integer >= 0) return static_cast<std::size_t>(reply->integer);
    noteFailureLocked(reply);
    return std::max<std::size_t>(localLeft, 1);  // never reports "vacated" without the cluster count
}

// ---- presence --------------------------------------------------------------------------------------

state::PresenceJoin RedisClusterState::joinPresence(const std::string& appId, const std::string& channel,
                                                    const state::PresenceMember& member,
                                                    std::size_t maxMembers) {
    Mutation m(*this);
    const std::string nodes = keys::nodes(), presence = keys::presence(appId, channel),
                      info = keys::presenceInfo(appId, channel), order = keys::presenceOrder(appId, channel),
                      sequence = keys::presenceSequence(appId), mine = keys::nodePresence(m.nodeId),
                      field = keys::presenceField(appId, channel, member.userKey),
                      stored = encodePresenceInfo(member), max = std::to_string(maxMembers);
    const auto reply =
        redis_->eval(scripts::joinPresence(), Views{nodes, presence, info, order, sequence, mine},
                     Views{m.nodeId, member.userKey, stored, max, field, "1", "1", fence()});
    return finishJoinPresence(appId, channel, member, maxMembers, reply);
}

state::PresenceJoin RedisClusterState::finishJoinPresence(const std::string& appId, const std::string& channel,
                                                          const state::PresenceMember& member,
                                                          std::size_t maxMembers,
                                                          const std::optional<RespValue>& reply) {
    std::lock_guard lock(mutex_);
    const bool answered = reply && reply->isArray() && !reply->elements.empty() &&
                          reply->elements[0].isInteger() && reply->elements[0].integer >= 0 &&
                          reply->elements[0].integer <= 2;
    if (!answered) {
        noteFailureLocked(reply);
        // Local view; "AlreadyPresent" so no member_added goes out before the cluster knows.
        const bool present = local_.hasMember(appId, channel, member.userKey);
        if (!present && maxMembers > 0 && local_.members(appId, channel).size() >= maxMembers)
            return state::PresenceJoin{state::PresenceJoinStatus::RosterFull, {}};
        local_.joinPresence(appId, channel, member);
        return state::PresenceJoin{state::PresenceJoinStatus::AlreadyPresent, local_.members(appId, channel)};
    }
    const auto& elements = reply->elements;
    if (elements[0].integer == 2) return state::PresenceJoin{state::PresenceJoinStatus::RosterFull, {}};
    local_.joinPresence(appId, channel, member);
    state::PresenceJoin join;
    join.status = elements[0].integer == 0 ? state::PresenceJoinStatus::Joined
                                           : state::PresenceJoinStatus::AlreadyPresent;
    join.members.reserve(elements.size() / 2);
    for (std::size_t i = 1; i + 1 < elements.size(); i += 2)
        join.members.push_back(memberFrom(elements[i].text, elements[i + 1].text));
    return join;
}

bool RedisClusterState::leavePresence(const std::string& appId, const std::string& channel,
                                      const std::string& userKey) {
    Mutation m(*this);
    const std::string nodes = keys::nodes(), presence = keys::presence(appId, channel),
                      info = keys::presenceInfo(appId, channel), order = keys::presenceOrder(appId, channel),
                      mine = keys::nodePresence(m.nodeId),
                      field = keys::presenceField(appId, channel, userKey);
    const auto reply = redis_->eval(scripts::leavePresence(), Views{nodes, presence, info, order, mine},
                                    Views{m.nodeId, userKey, field, fence()});
    return finishLeavePresence(appId, channel, userKey, reply);
}

bool RedisClusterState::finishLeavePresence(const std::string& appId, const std::string& channel,
                                            const std::string& userKey, const std::optional<RespValue>& reply) {
    std::lock_guard lock(mutex_);
    local_.leavePresence(appId, channel, userKey);
    if (reply && reply->isInteger() && reply->integer >= 0) return reply->integer == 1;
    noteFailureLocked(reply);
    return false;  // member_removed is announced by the Reaper once the cluster count is known
}

std::vector<state::PresenceMember> RedisClusterState::presenceMembers(const std::string& appId,
                                                                      const std::string& channel) {
    const std::string order = keys::presenceOrder(appId, channel), info = keys::presenceInfo(appId, channel);
    Pipeline pipeline;
    pipeline.command({"ZRANGE", order, "0", "-1"});
    pipeline.command({"HGETALL", info});
    std::vector<RespValue> replies;
    if (redis_->execute(pipeline, replies)) {
        if (auto members = parseMembers(replies[0], replies[1])) return std::move(*members);
    }
    return localMembers(appId, channel);
}

std::vector<state::PresenceMember> RedisClusterState::localMembers(const std::string& appId,
                                                                   const std::string& channel) {
    std::lock_guard lock(mutex_);
    return local_.members(appId, channel);
}

std::optional<std::vector<state::PresenceMember>> RedisClusterState::parseMembers(const RespValue& order,
                                                                                  const RespValue& info) {
    if (!order.isArray() || !info.isArray()) return std::nullopt;
    std::unordered_map<std::string_view, std::string_view> stored;
    const auto& pairs = info.elements;
    for (std::size_t i = 0; i + 1 < pairs.size(); i += 2) stored.emplace(pairs[i].text, pairs[i + 1].text);
    std::vector<state::PresenceMember> members;
    members.reserve(order.elements.size());
    for (const RespValue& user : order.elements) {
        const auto it = stored.find(user.text);
        if (it != stored.end()) members.push_back(memberFrom(user.text, it->second));
    }
    return members;
}

// ---- channel queries -------------------------------------------------------------------------------

std::vector<state::ChannelSummary> RedisClusterState::channels(const std::string& appId,
                                                               const std::string& prefix) {
    const std::string counts = keys::channels(appId);
    const auto reply = redis_->eval(scripts::listChannels(), Views{counts}, Views{appId, prefix});
    if (!reply || !reply->isArray()) {
        std::lock_guard lock(mutex_);
        return local_.channels(appId, prefix);
    }
    std::vector<state::ChannelSummary> result;
    const auto& e = reply->elements;
    result.reserve(e.size() / 3);
    for (std::size_t i = 0; i + 2 < e.size(); i += 3) {
        result.push_back(state::ChannelSummary{
            e[i].text, static_cast<std::size_t>(std::max<std::int64_t>(0, e[i + 1].integer)),
            static_cast<std::size_t>(std::max<std::int64_t>(0, e[i + 2].integer))});
    }
    std::sort(result.begin(), result.end(),
              [](const state::ChannelSummary& a, const state::ChannelSummary& b) { return a.name < b.name; });
    return result;
}

std::optional<state::ChannelSummary> RedisClusterState::channel(const std::string& appId,
                                                                const std::string& name) {
    const std::string counts = keys::channels(appId), presence = keys::presence(appId, name);
    Pipeline pipeline;
    pipeline.command({"HGET", counts, name});
    pipeline.command({"HLEN", presence});
    std::vector<RespValue> replies;
    if (!redis_->execute(pipeline, replies) || !replies[1].isInteger() || replies[0].isError()) {
        std::lock_guard lock(mutex_);
        for (auto& summary : local_.channels(appId, name)) {
            if (summary.name == name) return summary;
        }
        return std::nullopt;
    }
    const auto count = integerOf(replies[0]);
    if (!count || *count <= 0) return std::nullopt;
    return state::ChannelSummary{name, static_cast<std::size_t>(*count),
                                 static_cast<std::size_t>(std::max<std::int64_t>(0, replies[1].integer))};
}

// ---- cache channels --------------------------------------------------------------------------------

void RedisClusterState::storeCachedEvent(const std::string& appId, const std::string& channel,
                                         const std::string& eventJson, int ttlSeconds) {
    const std::string key = keys::cache(appId, channel);
    if (ttlSeconds <= 0) {
        redis_->command({"DEL", key});
    } else {
        redis_->command({"SET", key, eventJson, "EX", std::to_string(ttlSeconds)});
    }
}

std::optional<state::CachedEvent> RedisClusterState::cachedEvent(const std::string& appId,
                                                                 const std::string& channel) {
    const std::string key = keys::cache(appId, channel);
    Pipeline pipeline;
    pipeline.command({"GET", key});
    pipeline.command({"PTTL", key});
    std::vector<RespValue> replies;
    if (!redis_->execute(pipeline, replies)) return std::nullopt;
    return parseCachedEvent(replies[0], replies[1]);
}

std::optional<state::CachedEvent> RedisClusterState::parseCachedEvent(RespValue& value, const RespValue& ttl) {
    if (value.type != RespValue::Type::BulkString || !ttl.isInteger() || ttl.integer == -2) return std::nullopt;
    // Rounded up like InMemoryClusterState: TTL 60 reads 60 until a full second has passed.
    const std::int64_t ms = ttl.integer;
    const int seconds = ms > 0 ? static_cast<int>((ms + 999) / 1000) : 0;
    return state::CachedEvent{std::move(value.text), seconds};
}

// ---- connections -----------------------------------------------------------------------------------

bool RedisClusterState::tryAddConnection(const std::string& appId, std::size_t limit) {
    Mutation m(*this);
    const std::string nodes = keys::nodes(), count = keys::connections(appId),
                      mine = keys::nodeConnections(m.nodeId), max = std::to_string(limit);
    const auto reply = redis_->eval(scripts::addConnection(), Views{nodes, count, mine},
                                    Views{m.nodeId, appId, max, "1", fence()});
    return finishTryAddConnection(appId, limit, reply);
}

bool RedisClusterState::finishTryAddConnection(const std::string& appId, std::size_t limit,
                                               const std::optional<RespValue>& reply) {
    std::lock_guard lock(mutex_);
    if (reply && reply->isInteger() && reply->integer >= 0) {
        if (reply->integer == 0) return false;
        local_.addConnection(appId);
        return true;
    }
    noteFailureLocked(reply);
    if (limit > 0 && local_.connections(appId) >= limit) return false;
    local_.addConnection(appId);
    return true;
}

void RedisClusterState::removeConnection(const std::string& appId) {
    Mutation m(*this);
    const std::string nodes = keys::nodes(), count = keys::connections(appId),
                      mine = keys::nodeConnections(m.nodeId);
    const auto reply =
        redis_->eval(scripts::removeConnection(), Views{nodes, count, mine}, Views{m.nodeId, appId, fence()});
    finishRemoveConnection(appId, reply);
}

void RedisClusterState::finishRemoveConnection(const std::string& appId, const std::optional<RespValue>& reply) {
    std::lock_guard lock(mutex_);
    local_.removeConnection(appId);
    if (!reply || !reply->isInteger() || reply->integer < 0) noteFailureLocked(reply);
}

std::size_t RedisClusterState::connectionCount(const std::string& appId) {
    const auto reply = redis_->command({"GET", keys::connections(appId)});
    if (reply && reply->type == RespValue::Type::NullBulk) return 0;
    const auto count = reply ? integerOf(*reply) : std::nullopt;
    if (!count) {
        std::lock_guard lock(mutex_);
        return local_.connections(appId);
    }
    return static_cast<std::size_t>(std::max<std::int64_t>(0, *count));
}

// ---- lease and resync ------------------------------------------------------------------------------

bool RedisClusterState::registerNode(const std::string& nodeId) {
    const std::string nodes = keys::nodes(), stats = keys::nodeStats(nodeId),
                      tombstone = keys::nodeReaped(nodeId);
    const auto sent = Clock::now();
    const auto reply =
        redis_->eval(scripts::heartbeat(), Views{nodes, stats, tombstone}, Views{nodeId, "0", "30"});
    if (!reply || !reply->isInteger() || reply->integer <= 0) return false;
    learnServerClock(reply->integer, sent, Clock::now());
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

std::string RedisClusterState::fence() const { return fence(redis_->callTimeout()); }

std::string RedisClusterState::fence(std::chrono::milliseconds timeout) const {
    if (!clockKnown_.load(std::memory_order_acquire)) return "0";
    const auto now =
        std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now().time_since_epoch()).count();
    return std::to_string(now + clockOffsetMs_.load(std::memory_order_relaxed) + timeout.count() -
                          timeout.count() / 4);
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
        const std::string nodes = keys::nodes(), statsKey = keys::nodeStats(id),
                          tombstone = keys::nodeReaped(id), ttl = std::to_string(statsTtl.count());
        Views args{id, "1", ttl};
        for (const auto& [field, value] : stats) {
            args.push_back(field);
            args.push_back(value);
        }
        const auto sent = Clock::now();
        const auto reply = redis_->eval(scripts::heartbeat(), Views{nodes, statsKey, tombstone}, args);
        if (!reply || !reply->isInteger()) {
            if (reply && reply->isError()) spdlog::error("heartbeat script failed: {}", reply->text);
            return false;
        }
        if (reply->integer > 0) learnServerClock(reply->integer, sent, Clock::now());
        if (pass > 0) return reply->integer > 0;
        if (reply->integer == -1) {
            if (!resync(ResyncReport::Reason::RedisDataLost)) return false;
        } else if (reply->integer == -2) {
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
    const std::string nodes = keys::nodes(), mySubs = keys::nodeSubscriptions(id),
                      myPresence = keys::nodePresence(id), myConns = keys::nodeConnections(id);
    bool ok = registerNode(id);

    // Every local contribution, one script call each, kResyncBatch calls per round trip.
    const std::size_t total =
        snapshot.subscriptions.size() + snapshot.memberships.size() + snapshot.connections.size();
    std::vector<RespValue> replies;
    for (std::size_t begin = 0; ok && begin < total; begin += kResyncBatch) {
        const std::size_t end = std::min(total, begin + kResyncBatch);
        Pipeline pipeline;
        const std::string batchFence = fence();
        for (std::size_t i = begin; i < end; ++i) {
            if (i < snapshot.subscriptions.size()) {
                const auto& s = snapshot.subscriptions[i];
                const std::string counts = keys::channels(s.appId),
                                  field = keys::subscriptionField(s.appId, s.channel),
                                  n = std::to_string(s.count);
                pipeline.eval(scripts::addSubscription(), Views{nodes, counts, mySubs},
                              Views{id, s.channel, field, n, batchFence});
                continue;
            }
            const std::size_t j = i - snapshot.subscriptions.size();
            if (j < snapshot.memberships.size()) {
                const auto& p = snapshot.memberships[j];
                const std::string presence = keys::presence(p.appId, p.channel),
                                  info = keys::presenceInfo(p.appId, p.channel),
                                  order = keys::presenceOrder(p.appId, p.channel),
                                  sequence = keys::presenceSequence(p.appId),
                                  field = keys::presenceField(p.appId, p.channel, p.member.userKey),
                                  stored = encodePresenceInfo(p.member), n = std::to_string(p.count);
                pipeline.eval(scripts::joinPresence(),
                              Views{nodes, presence, info, order, sequence, myPresence},
                              Views{id, p.member.userKey, stored, "0", field, n, "0", batchFence});
                continue;
            }
            const auto& c = snapshot.connections[j - snapshot.memberships.size()];
            const std::string count = keys::connections(c.appId), n = std::to_string(c.count);
            pipeline.eval(scripts::addConnection(), Views{nodes, count, myConns},
                          Views{id, c.appId, "0", n, batchFence});
        }
        if (!redis_->execute(pipeline, replies)) {
            ok = false;
            break;
        }
        for (std::size_t i = begin; ok && i < end; ++i) {
            const RespValue& r = replies[i - begin];
            if (i < snapshot.subscriptions.size()) {
                const auto& s = snapshot.subscriptions[i];
                ok = r.isInteger() && r.integer >= 0;
                if (ok && static_cast<std::size_t>(r.integer) == s.count)
                    report.transitions.occupied.push_back({s.appId, s.channel});
                continue;
            }
            const std::size_t j = i - snapshot.subscriptions.size();
            if (j < snapshot.memberships.size()) {
                const auto& p = snapshot.memberships[j];
                ok = r.isArray() && !r.elements.empty() && r.elements[0].isInteger() &&
                     r.elements[0].integer >= 0;
                if (ok && r.elements[0].integer == 0)
                    report.transitions.joined.push_back({p.appId, p.channel, p.member});
                continue;
            }
            ok = r.isInteger() && r.integer == 1;
        }
        if (!ok)
            spdlog::error("cluster state re-registration refused: {}",
                          replies.empty() ? "" : replies[0].text);
    }
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
