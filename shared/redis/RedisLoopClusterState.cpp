#include "redis/RedisLoopClusterState.h"

#include <algorithm>
#include <memory>

#include "redis/KeySchema.h"

namespace resound::redis {

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

std::int64_t RedisLoopClusterState::fence() const { return state_.fence(state_.redis_->options().ioTimeout); }

void RedisLoopClusterState::addSubscription(const std::string& appId, const std::string& channel,
                                            Done<std::size_t> done) {
    mutate(
        scripts::AddSubscription{{}, appId, channel},
        [this, appId, channel](const auto& result) {
            return state_.finishAddSubscription(appId, channel, result);
        },
        std::move(done));
}

void RedisLoopClusterState::removeSubscription(const std::string& appId, const std::string& channel,
                                               Done<std::size_t> done) {
    mutate(
        scripts::RemoveSubscription{{}, appId, channel},
        [this, appId, channel](const auto& result) {
            return state_.finishRemoveSubscription(appId, channel, result);
        },
        std::move(done));
}

void RedisLoopClusterState::joinPresence(const std::string& appId, const std::string& channel,
                                         const state::PresenceMember& member, std::size_t maxMembers,
                                         Done<state::PresenceJoin> done) {
    mutate(
        scripts::JoinPresence{{}, appId, channel, member, maxMembers},
        [this, appId, channel, member, maxMembers](auto result) {
            return state_.finishJoinPresence(appId, channel, member, maxMembers, std::move(result));
        },
        std::move(done));
}

void RedisLoopClusterState::leavePresence(const std::string& appId, const std::string& channel,
                                          const std::string& userKey, Done<bool> done) {
    mutate(
        scripts::LeavePresence{{}, appId, channel, userKey},
        [this, appId, channel, userKey](const auto& result) {
            return state_.finishLeavePresence(appId, channel, userKey, result);
        },
        std::move(done));
}

void RedisLoopClusterState::presenceMembers(const std::string& appId, const std::string& channel,
                                            Done<std::vector<state::PresenceMember>> done) {
    reads_.presenceMembers(appId, channel,
                           [this, appId, channel, done = std::move(done)](
                               std::optional<std::vector<state::PresenceMember>> members) {
                               // Unreadable: this node's own view, as the synchronous state answers.
                               done(members ? std::move(*members) : state_.localMembers(appId, channel));
                           });
}

void RedisLoopClusterState::cachedEvent(const std::string& appId, const std::string& channel,
                                        Done<std::optional<state::CachedEvent>> done) {
    reads_.cachedEvent(appId, channel,
                       [done = std::move(done)](std::optional<std::optional<state::CachedEvent>> cached) {
                           done(cached ? std::move(*cached) : std::nullopt);  // unreadable: nothing cached
                       });
}

void RedisLoopClusterState::tryAddConnection(const std::string& appId, std::size_t limit, Done<bool> done) {
    if (limit == 0) {
        // Nothing to decide: without a limit the script always admits and so does the local view when
        // Redis is not there (finishTryAddConnection), so the caller hears it now. Counted first, so a
        // removeConnection the answer leads to is sent after it.
        auto batch = std::find_if(unlimitedAdds_.begin(), unlimitedAdds_.end(),
                                  [&](const auto& entry) { return entry.first == appId; });
        if (batch == unlimitedAdds_.end()) batch = unlimitedAdds_.insert(unlimitedAdds_.end(), {appId, 0});
        ++batch->second;
        done(true);
        return;
    }
    mutate(
        scripts::AddConnection{{}, appId, limit},
        [this, appId, limit](const auto& result) {
            return state_.finishTryAddConnection(appId, limit, result);
        },
        std::move(done));
}

void RedisLoopClusterState::sendUnlimitedAdds(std::string appId) {  // a copy: its batch entry goes
    const auto batch = std::find_if(unlimitedAdds_.begin(), unlimitedAdds_.end(),
                                    [&](const auto& entry) { return entry.first == appId; });
    if (batch == unlimitedAdds_.end()) return;
    const std::size_t count = batch->second;
    unlimitedAdds_.erase(batch);
    // Each connection counts once in the local view, from the one result; its admission (always true
    // without a limit) was answered when it was asked for.
    mutate(scripts::AddConnection{{}, appId, 0, count}, [this, appId, count](const auto& result) {
        for (std::size_t i = 0; i < count; ++i) state_.finishTryAddConnection(appId, 0, result);
    });
}

void RedisLoopClusterState::flush() {
    while (!unlimitedAdds_.empty()) sendUnlimitedAdds(unlimitedAdds_.front().first);
    link_.flush();
}

void RedisLoopClusterState::removeConnection(const std::string& appId) {
    sendUnlimitedAdds(appId);  // a connection counted this iteration must reach Redis before its removal
    mutate(scripts::RemoveConnection{{}, appId},
           [this, appId](const auto& result) { state_.finishRemoveConnection(appId, result); });
}

}  // namespace resound::redis
