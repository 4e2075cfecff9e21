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
    std::string nodeId;
    if (!begin(nodeId)) {
        done(state_.finishAddSubscription(appId, channel, notSent<scripts::AddSubscription>()));
        return;
    }
    send(scripts::AddSubscription{nodeId, appId, channel, 1, fence()},
         [this, appId, channel, done = std::move(done)](const auto& result) {
             const std::size_t count = state_.finishAddSubscription(appId, channel, result);
             finished();
             done(count);
         });
}

void RedisLoopClusterState::removeSubscription(const std::string& appId, const std::string& channel,
                                               Done<std::size_t> done) {
    std::string nodeId;
    if (!begin(nodeId)) {
        done(state_.finishRemoveSubscription(appId, channel, notSent<scripts::RemoveSubscription>()));
        return;
    }
    send(scripts::RemoveSubscription{nodeId, appId, channel, fence()},
         [this, appId, channel, done = std::move(done)](const auto& result) {
             const std::size_t count = state_.finishRemoveSubscription(appId, channel, result);
             finished();
             done(count);
         });
}

void RedisLoopClusterState::joinPresence(const std::string& appId, const std::string& channel,
                                         const state::PresenceMember& member, std::size_t maxMembers,
                                         Done<state::PresenceJoin> done) {
    std::string nodeId;
    if (!begin(nodeId)) {
        done(state_.finishJoinPresence(appId, channel, member, maxMembers, notSent<scripts::JoinPresence>()));
        return;
    }
    scripts::JoinPresence join{nodeId, appId, channel, member, maxMembers};
    join.fenceMs = fence();
    send(join, [this, appId, channel, member, maxMembers, done = std::move(done)](auto result) {
        state::PresenceJoin joined =
            state_.finishJoinPresence(appId, channel, member, maxMembers, std::move(result));
        finished();
        done(std::move(joined));
    });
}

void RedisLoopClusterState::leavePresence(const std::string& appId, const std::string& channel,
                                          const std::string& userKey, Done<bool> done) {
    std::string nodeId;
    if (!begin(nodeId)) {
        done(state_.finishLeavePresence(appId, channel, userKey, notSent<scripts::LeavePresence>()));
        return;
    }
    send(scripts::LeavePresence{nodeId, appId, channel, userKey, fence()},
         [this, appId, channel, userKey, done = std::move(done)](const auto& result) {
             const bool last = state_.finishLeavePresence(appId, channel, userKey, result);
             finished();
             done(last);
         });
}

void RedisLoopClusterState::presenceMembers(const std::string& appId, const std::string& channel,
                                            Done<std::vector<state::PresenceMember>> done) {
    const std::string order = keys::presenceOrder(appId, channel), info = keys::presenceInfo(appId, channel);
    // Two commands, answered in order: the first keeps its reply for the second.
    auto first = std::make_shared<std::optional<RespValue>>();
    link_.command({"ZRANGE", order, "0", "-1"},
                  [first](std::optional<RespValue> reply) { *first = std::move(reply); });
    link_.command({"HGETALL", info},
                  [this, first, appId, channel, done = std::move(done)](std::optional<RespValue> reply) {
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
    if (limit == 0) {
        auto batch = std::find_if(unlimitedAdds_.begin(), unlimitedAdds_.end(),
                                  [&](const auto& entry) { return entry.first == appId; });
        if (batch == unlimitedAdds_.end()) batch = unlimitedAdds_.insert(unlimitedAdds_.end(), {appId, {}});
        batch->second.push_back(std::move(done));
        return;
    }
    std::string nodeId;
    if (!begin(nodeId)) {
        done(state_.finishTryAddConnection(appId, limit, notSent<scripts::AddConnection>()));
        return;
    }
    send(scripts::AddConnection{nodeId, appId, limit, 1, fence()},
         [this, appId, limit, done = std::move(done)](const auto& result) {
             const bool admitted = state_.finishTryAddConnection(appId, limit, result);
             finished();
             done(admitted);
         });
}

void RedisLoopClusterState::sendUnlimitedAdds(std::string appId) {  // a copy: its batch entry goes
    const auto batch = std::find_if(unlimitedAdds_.begin(), unlimitedAdds_.end(),
                                    [&](const auto& entry) { return entry.first == appId; });
    if (batch == unlimitedAdds_.end()) return;
    auto callers = std::make_shared<std::vector<Done<bool>>>(std::move(batch->second));
    unlimitedAdds_.erase(batch);
    // Each caller counts one connection in the local view, from the one result.
    auto answer = [this, appId, callers](const ScriptResult<scripts::AddConnection::Answer>& result) {
        for (auto& done : *callers) done(state_.finishTryAddConnection(appId, 0, result));
    };
    std::string nodeId;
    if (!begin(nodeId)) {
        answer(notSent<scripts::AddConnection>());
        return;
    }
    send(scripts::AddConnection{nodeId, appId, 0, callers->size(), fence()},
         [this, answer](const auto& result) {
             answer(result);
             finished();
         });
}

void RedisLoopClusterState::flush() {
    while (!unlimitedAdds_.empty()) sendUnlimitedAdds(unlimitedAdds_.front().first);
    link_.flush();
}

void RedisLoopClusterState::removeConnection(const std::string& appId) {
    sendUnlimitedAdds(appId);  // a connection counted this iteration must reach Redis before its removal
    std::string nodeId;
    if (!begin(nodeId)) {
        state_.finishRemoveConnection(appId, notSent<scripts::RemoveConnection>());
        return;
    }
    send(scripts::RemoveConnection{nodeId, appId, fence()}, [this, appId](const auto& result) {
        state_.finishRemoveConnection(appId, result);
        finished();
    });
}

}  // namespace resound::redis
