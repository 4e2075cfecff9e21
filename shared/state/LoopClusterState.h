#pragma once
// The cluster state as one event loop uses it: every call that needs an answer takes a callback that
// runs on that loop's thread, so a loop never waits for the state (in Redis mode: the calls of one
// iteration go out together on the loop's own connection, and the answers come back when Redis has
// given them). SynchronousLoopClusterState answers at once from a thread-safe ClusterState (the
// in-memory one), calling back before the call returns. Loop thread only.
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "state/ClusterState.h"

namespace resound::state {

class LoopClusterState {
  public:
    template <typename T>
    using Done = std::function<void(T)>;

    virtual ~LoopClusterState() = default;

    // As ClusterState's synchronous forms (same answers, same rules while the cluster is unreachable).
    virtual void addSubscription(const std::string& appId, const std::string& channel,
                                 Done<std::size_t> done) = 0;
    virtual void removeSubscription(const std::string& appId, const std::string& channel,
                                    Done<std::size_t> done) = 0;
    virtual void joinPresence(const std::string& appId, const std::string& channel,
                              const PresenceMember& member, std::size_t maxMembers,
                              Done<PresenceJoin> done) = 0;
    virtual void leavePresence(const std::string& appId, const std::string& channel,
                               const std::string& userKey, Done<bool> done) = 0;
    virtual void presenceMembers(const std::string& appId, const std::string& channel,
                                 Done<std::vector<PresenceMember>> done) = 0;
    virtual void cachedEvent(const std::string& appId, const std::string& channel,
                             Done<std::optional<CachedEvent>> done) = 0;
    virtual void tryAddConnection(const std::string& appId, std::size_t limit, Done<bool> done) = 0;
    virtual void removeConnection(const std::string& appId) = 0;

    // End of the loop iteration: send what the iteration asked for.
    virtual void flush() {}
};

class SynchronousLoopClusterState final : public LoopClusterState {
  public:
    explicit SynchronousLoopClusterState(ClusterState& state) : state_(state) {}

    void addSubscription(const std::string& appId, const std::string& channel,
                         Done<std::size_t> done) override {
        done(state_.addSubscription(appId, channel));
    }
    void removeSubscription(const std::string& appId, const std::string& channel,
                            Done<std::size_t> done) override {
        done(state_.removeSubscription(appId, channel));
    }
    void joinPresence(const std::string& appId, const std::string& channel, const PresenceMember& member,
                      std::size_t maxMembers, Done<PresenceJoin> done) override {
        done(state_.joinPresence(appId, channel, member, maxMembers));
    }
    void leavePresence(const std::string& appId, const std::string& channel, const std::string& userKey,
                       Done<bool> done) override {
        done(state_.leavePresence(appId, channel, userKey));
    }
    void presenceMembers(const std::string& appId, const std::string& channel,
                         Done<std::vector<PresenceMember>> done) override {
        done(state_.presenceMembers(appId, channel));
    }
    void cachedEvent(const std::string& appId, const std::string& channel,
                     Done<std::optional<CachedEvent>> done) override {
        done(state_.cachedEvent(appId, channel));
    }
    void tryAddConnection(const std::string& appId, std::size_t limit, Done<bool> done) override {
        done(state_.tryAddConnection(appId, limit));
    }
    void removeConnection(const std::string& appId) override { state_.removeConnection(appId); }

  private:
    ClusterState& state_;
};

}  // namespace resound::state
