#pragma once
// This node's own share of the cluster state (its subscriptions, presence memberships and connections),
// kept in memory: the truth a resync re-registers under a fresh node id, and the best-effort answer to
// this node's own mutations while Redis is unreachable (cluster-wide reads are refused then, never
// answered from here). Not thread-safe: RedisClusterState guards it with its mutex.
#include <cstddef>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "state/ClusterState.h"

namespace resound::redis {

class LocalContributions {
  public:
    struct Snapshot {
        struct Subscription {
            std::string appId, channel;
            std::size_t count = 0;
        };
        struct Membership {
            std::string appId, channel;
            state::PresenceMember member;
            std::size_t count = 0;
        };
        struct Connections {
            std::string appId;
            std::size_t count = 0;
        };
        std::vector<Subscription> subscriptions;
        std::vector<Membership> memberships;
        std::vector<Connections> connections;
    };

    std::size_t addSubscription(const std::string& appId, const std::string& channel);  // local count after
    std::size_t removeSubscription(const std::string& appId,
                                   const std::string& channel);  // local count after
    void joinPresence(const std::string& appId, const std::string& channel,
                      const state::PresenceMember& member);
    void leavePresence(const std::string& appId, const std::string& channel, const std::string& userKey);
    bool hasMember(const std::string& appId, const std::string& channel, const std::string& userKey) const;
    std::vector<state::PresenceMember> members(const std::string& appId, const std::string& channel) const;
    void addConnection(const std::string& appId);
    void removeConnection(const std::string& appId);
    std::size_t connections(const std::string& appId) const;

    Snapshot snapshot() const;

  private:
    struct Member {
        state::PresenceMember member;
        std::size_t count = 0;
    };
    struct Channel {
        std::size_t subscriptions = 0;
        std::vector<Member> roster;  // local join order; rosters are capped, linear search is fine
    };
    struct App {
        std::map<std::string, Channel> channels;
        std::size_t connections = 0;
    };

    const Channel* find(const std::string& appId, const std::string& channel) const;
    void eraseIfUnused(App& app, std::map<std::string, Channel>::iterator channel);

    std::unordered_map<std::string, App> apps_;
};

}  // namespace resound::redis
