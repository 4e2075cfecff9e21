#pragma once
// Cluster-wide channel state: subscription counts, presence rosters (per-user reference counted),
// cache-channel last events and connection counts. The HTTP API reads it, the event loops update it.
// Thread-safe. InMemoryClusterState serves one process; a Redis implementation serves many.
#include <cstddef>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace resound::state {

struct PresenceMember {
    std::string userKey;   // user_id as a string: the identity used for de-duplication and the hash key
    std::string idJson;    // user_id exactly as the client sent it (e.g. 10 or "10")
    std::string infoJson;  // user_info as JSON text, "null" when absent
};

struct ChannelSummary {
    std::string name;
    std::size_t subscriptionCount = 0;  // connections subscribed
    std::size_t userCount = 0;          // distinct presence users (presence channels only)
};

struct CachedEvent {
    std::string eventJson;  // the full {"event","channel","data"} message as last published
    int ttlSecondsLeft = 0;
};

enum class PresenceJoinStatus { Joined, AlreadyPresent, RosterFull };

struct PresenceJoin {
    PresenceJoinStatus status = PresenceJoinStatus::Joined;  // Joined: first connection of this user
    std::vector<PresenceMember> members;                     // roster after the join (includes the user)
};

// Thrown by the cluster-wide reads (channels, channel, presenceMembers, cachedEvent, connectionCount)
// when that view cannot be had (Redis unreachable or answering with errors). Readers answer 503: what
// one process knows locally is not the cluster's state (the api process knows nothing locally).
class StateUnavailable : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};
// The `reason` word of those 503 answers (http::errorBody), the same on the HTTP API and dashboards.
inline constexpr const char* kStateUnavailableReason = "state_unavailable";

class ClusterState {
  public:
    virtual ~ClusterState() = default;

    // Returns the channel's subscription count after the change.
    virtual std::size_t addSubscription(const std::string& appId, const std::string& channel) = 0;
    virtual std::size_t removeSubscription(const std::string& appId, const std::string& channel) = 0;

    // One call per subscribing connection; the user is "new" only for their first connection.
    virtual PresenceJoin joinPresence(const std::string& appId, const std::string& channel,
                                      const PresenceMember& member, std::size_t maxMembers) = 0;
    // Returns true when this was the user's last connection on the channel (member_removed is due).
    virtual bool leavePresence(const std::string& appId, const std::string& channel,
                               const std::string& userKey) = 0;
    virtual std::vector<PresenceMember> presenceMembers(const std::string& appId,
                                                        const std::string& channel) = 0;

    // Occupied channels only, optionally filtered by name prefix.
    virtual std::vector<ChannelSummary> channels(const std::string& appId, const std::string& prefix) = 0;
    // nullopt when the channel is not occupied.
    virtual std::optional<ChannelSummary> channel(const std::string& appId, const std::string& name) = 0;

    virtual void storeCachedEvent(const std::string& appId, const std::string& channel,
                                  const std::string& eventJson, int ttlSeconds) = 0;
    virtual std::optional<CachedEvent> cachedEvent(const std::string& appId, const std::string& channel) = 0;

    // Connection counts per app (for GET /apps/{id}/connections and max_connections).
    // tryAddConnection returns false (and changes nothing) when limit > 0 and it would be exceeded.
    virtual bool tryAddConnection(const std::string& appId, std::size_t limit) = 0;
    virtual void removeConnection(const std::string& appId) = 0;
    virtual std::size_t connectionCount(const std::string& appId) = 0;
};

}  // namespace resound::state
