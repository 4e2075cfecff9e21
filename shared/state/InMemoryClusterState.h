#pragma once
// ClusterState for a single process: plain maps behind one mutex. Any thread may call any method.
// One mutex is enough: callers touch it per subscribe/unsubscribe/connect and per HTTP API read, never
// per message, and every operation is a map lookup or a copy of one roster.
#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <unordered_map>

#include "state/ClusterState.h"

namespace resound::state {

class InMemoryClusterState final : public ClusterState {
  public:
    using Clock = std::function<std::chrono::steady_clock::time_point()>;

    // The clock is injectable so tests can expire cached events without sleeping.
    explicit InMemoryClusterState(Clock clock = [] { return std::chrono::steady_clock::now(); });

    std::size_t addSubscription(const std::string& appId, const std::string& channel) override;
    std::size_t removeSubscription(const std::string& appId, const std::string& channel) override;

    // Members are listed in join order (first connection of each user). A user who is already present
    // keeps the user_info of their first connection. RosterFull changes nothing and returns no members.
    PresenceJoin joinPresence(const std::string& appId, const std::string& channel,
                              const PresenceMember& member, std::size_t maxMembers) override;
    bool leavePresence(const std::string& appId, const std::string& channel,
                       const std::string& userKey) override;
    std::vector<PresenceMember> presenceMembers(const std::string& appId,
                                                const std::string& channel) override;

    // Sorted by name. A channel is occupied while it has at least one subscription.
    std::vector<ChannelSummary> channels(const std::string& appId, const std::string& prefix) override;
    std::optional<ChannelSummary> channel(const std::string& appId, const std::string& name) override;

    // A cached event outlives its channel's subscribers until its TTL (as in soketi), so a client
    // reconnecting a moment later still gets it. ttlSeconds <= 0 removes the channel's cached event.
    void storeCachedEvent(const std::string& appId, const std::string& channel, const std::string& eventJson,
                          int ttlSeconds) override;
    // ttlSecondsLeft is rounded up: an event stored with TTL 60 reports 60 until a full second passed.
    std::optional<CachedEvent> cachedEvent(const std::string& appId, const std::string& channel) override;

    bool tryAddConnection(const std::string& appId, std::size_t limit) override;
    void removeConnection(const std::string& appId) override;
    std::size_t connectionCount(const std::string& appId) override;

    // Drops expired cached events of every app; returns how many. Also runs by itself from
    // storeCachedEvent at most once a minute, so events nobody asks for again do not pile up.
    std::size_t purgeExpired();

  private:
    using TimePoint = std::chrono::steady_clock::time_point;

    struct RosterEntry {
        PresenceMember member;
        std::size_t connections = 0;  // this user's subscribed connections; removed at 0
    };

    struct ChannelState {
        std::size_t subscriptions = 0;
        // Linear search is fine: rosters are capped (100 by default) and a join copies the roster anyway.
        std::vector<RosterEntry> roster;  // join order
    };

    struct StoredEvent {
        std::string eventJson;
        TimePoint expiresAt;
    };

    struct AppState {
        std::map<std::string, ChannelState> channels;  // ordered: channels() lists by name
        std::unordered_map<std::string, StoredEvent> cache;
        std::size_t connections = 0;
    };

    static ChannelSummary summarize(const std::string& name, const ChannelState& channel);
    static std::vector<PresenceMember> membersOf(const ChannelState& channel);
    // Drops the channel once nothing refers to it, so the map holds occupied channels only.
    static void eraseIfUnused(AppState& app, std::map<std::string, ChannelState>::iterator channel);
    std::size_t purgeExpiredLocked(TimePoint now);

    Clock clock_;
    std::mutex mutex_;
    std::unordered_map<std::string, AppState> apps_;
    TimePoint lastPurge_;
};

}  // namespace resound::state
