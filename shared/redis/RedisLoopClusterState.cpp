#include "redis/RedisLoopClusterState.h"

#include <memory>

#include "redis/ClusterScripts.h"
#include "redis/KeySchema.h"
#include "redis/PresenceInfo.h"

namespace resound::redis {
namespace {
using Views = std::vector<std::string_view>;
}  // namespace

RedisLoopClusterState::RedisLoopClusterState(RedisClusterState& state, loop::EventLoop& loop,
                                             ConnectionOptions options)
    : state_(state), link_(loop, std::move(options), "redis loop link") {}

RedisLoopClusterState::~RedisLoopClusterState() {
    std::lock_guard lock(state_.mutex_);
    state_.inflight_ -= inflight_;
    if (state_.inflight_ == 0 && state_.resyncing_) state_.gateCv_.notify_all();
}

bool RedisLoopClusterState::begin(std::string& nodeId) {
    std::lock_guard lock(state_.mutex_);
    if (state_.resyncing_) {
        state_.lateMutations_ = true;
        return false;
    }
    ++state_.inflight_;
    ++inflight_;
    nodeId = state_.nodeId_;
    return true;
}

void RedisLoopClusterState::finished() {
    std::lock_guard lock(state_.mutex_);
    --inflight_;
    if (--state_.inflight_ == 0 && state_.resyncing_) state_.gateCv_.notify_all();
}

std::string RedisLoopClusterState::fence() const { return state_.fence(state_.redis_->options().ioTimeout); }

void RedisLoopClusterState::addSubscription(const std::string& appId, const std::string& channel,
                                            Done<std::size_t> done) {
    std::string nodeId;
    if (!begin(nodeId)) {
        done(state_.finishAddSubscription(appId, channel, std::nullopt));
        return;
    }
    const std::string nodes = keys::nodes(), counts = keys::channels(appId), mine = keys::nodeSubscriptions(nodeId),
                      field = keys::subscriptionField(appId, channel), fenced = fence();
    link_.eval(scripts::addSubscription(), Views{nodes, counts, mine}, Views{nodeId, channel, field, "1", fenced},
               [this, appId, channel, done = std::move(done)](std::optional<RespValue> reply) {
                   const std::size_t count = state_.finishAddSubscription(appId, channel, reply);
                   finished();
                   done(count);
               });
}

void RedisLoopClusterState::removeSubscription(const std::string& appId, const std::string& channel,
                                               Done<std::size_t> done) {
    std::string nodeId;
    if (!begin(nodeId)) {
        done(state_.finishRemoveSubscription(appId, channel, std::nullopt));
        return;
    }
    const std::string nodes = keys::nodes(), counts = keys::channels(appId), mine = keys::nodeSubscriptions(nodeId),
                      field = keys::subscriptionField(appId, channel), fenced = fence();
    link_.eval(scripts::removeSubscription(), Views{nodes, counts, mine}, Views{nodeId, channel, field, fenced},
               [this, appId, channel, done = std::move(done)](std::optional<RespValue> reply) {
                   const std::size_t count = state_.finishRemoveSubscription(appId, channel, reply);
                   finished();
                   done(count);
               });
}

void RedisLoopClusterState::joinPresence(const std::string& appId, const std::string& channel,
                                         const state::PresenceMember& member, std::size_t maxMembers,
                                         Done<state::PresenceJoin> done) {
    std::string nodeId;
    if (!begin(nodeId)) {
        done(state_.finishJoinPresence(appId, channel, member, maxMembers, std::nullopt));
        return;
    }
    const std::string nodes = keys::nodes(), presence = keys::presence(appId, channel),
                      info = keys::presenceInfo(appId, channel), order = keys::presenceOrder(appId, channel),
                      sequence = keys::presenceSequence(appId), mine = keys::nodePresence(nodeId),
                      field = keys::presenceField(appId, channel, member.userKey), stored = encodePresenceInfo(member),
                      max = std::to_string(maxMembers), fenced = fence();
    link_.eval(scripts::joinPresence(), Views{nodes, presence, info, order, sequence, mine},
               Views{nodeId, member.userKey, stored, max, field, "1", "1", fenced},
               [this, appId, channel, member, maxMembers, done = std::move(done)](std::optional<RespValue> reply) {
                   state::PresenceJoin join = state_.finishJoinPresence(appId, channel, member, maxMembers, reply);
                   finished();
                   done(std::move(join));
               });
}

void RedisLoopClusterState::leavePresence(const std::string& appId, const std::string& channel,
                                          const std::string& userKey, Done<bool> done) {
    std::string nodeId;
    if (!begin(nodeId)) {
        done(state_.finishLeavePresence(appId, channel, userKey, std::nullopt));
        return;
    }
    const std::string nodes = keys::nodes(), presence = keys::presence(appId, channel),
                      info = keys::presenceInfo(appId, channel), order = keys::presenceOrder(appId, channel),
                      mine = keys::nodePresence(nodeId), field = keys::presenceField(appId, channel, userKey),
                      fenced = fence();
    link_.eval(scripts::leavePresence(), Views{nodes, presence, info, order, mine}, Views{nodeId, userKey, field, fenced},
               [this, appId, channel, userKey, done = std::move(done)](std::optional<RespValue> reply) {
                   const bool last = state_.finishLeavePresence(appId, channel, userKey, reply);
                   finished();
                   done(last);
               });
}

void RedisLoopClusterState::presenceMembers(const std::string& appId, const std::string& channel,
                                            Done<std::vector<state::PresenceMember>> done) {
    const std::string order = keys::presenceOrder(appId, channel), info = keys::presenceInfo(appId, channel);
    // Two commands, answered in order: the first keeps its reply for the second.
    auto first = std::make_shared<std::optional<RespValue>>();
    link_.command({"ZRANGE", order, "0", "-1"}, [first](std::optional<RespValue> reply) { *first = std::move(reply); });
    link_.command({"HGETALL", info}, [this, first, appId, channel, done = std::move(done)](std::optional<RespValue> reply) {
        if (*first && reply) {
            if (auto members = RedisClusterState::parseMembers(**first, *reply)) {
                done(std::move(*members));
                return;
            }
        }
        done(state_.localMembers(appId, channel));
    });
}

void RedisLoopClusterState::cachedEvent(const std::string& appId, const std::string& channel,
                                        Done<std::optional<state::CachedEvent>> done) {
    const std::string key = keys::cache(appId, channel);
    auto first = std::make_shared<std::optional<RespValue>>();
    link_.command({"GET", key}, [first](std::optional<RespValue> reply) { *first = std::move(reply); });
    link_.command({"PTTL", key}, [first, done = std::move(done)](std::optional<RespValue> reply) {
        if (!*first || !reply) {
            done(std::nullopt);
            return;
        }
        done(RedisClusterState::parseCachedEvent(**first, *reply));
    });
}

void RedisLoopClusterState::tryAddConnection(const std::string& appId, std::size_t limit, Done<bool> done) {
    std::string nodeId;
    if (!begin(nodeId)) {
        done(state_.finishTryAddConnection(appId, limit, std::nullopt));
        return;
    }
    const std::string nodes = keys::nodes(), count = keys::connections(appId), mine = keys::nodeConnections(nodeId),
                      max = std::to_string(limit), fenced = fence();
    link_.eval(scripts::addConnection(), Views{nodes, count, mine}, Views{nodeId, appId, max, "1", fenced},
               [this, appId, limit, done = std::move(done)](std::optional<RespValue> reply) {
                   const bool admitted = state_.finishTryAddConnection(appId, limit, reply);
                   finished();
                   done(admitted);
               });
}

void RedisLoopClusterState::removeConnection(const std::string& appId) {
    std::string nodeId;
    if (!begin(nodeId)) {
        state_.finishRemoveConnection(appId, std::nullopt);
        return;
    }
    const std::string nodes = keys::nodes(), count = keys::connections(appId), mine = keys::nodeConnections(nodeId),
                      fenced = fence();
    link_.eval(scripts::removeConnection(), Views{nodes, count, mine}, Views{nodeId, appId, fenced},
               [this, appId](std::optional<RespValue> reply) {
                   state_.finishRemoveConnection(appId, reply);
                   finished();
               });
}

}  // namespace resound::redis
