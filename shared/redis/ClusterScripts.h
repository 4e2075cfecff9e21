#pragma once
// The Lua scripts behind RedisClusterState, NodeLease and Reaper, as typed calls: each is a struct of
// named arguments whose encode() gives the exact KEYS/ARGV the script expects, and whose parse() turns
// the script's reply into a ScriptResult with a named answer (or a status saying why there is none,
// with the reply described when its shape is one the script never returns). Both the blocking
// CommandClient (RedisClusterState, Reaper) and an edge loop's LoopLink (RedisLoopClusterState) send
// the same encoding and read the same parse, so the positional contract lives only in
// ClusterScripts.cpp, beside the Lua.
//
// Each mutation updates the cluster key and this node's key in one atomic step. It first checks that
// the node still holds its lease (is in resound:nodes) and otherwise changes nothing (LeaseLost), so a
// node that was reaped never adds contributions nobody would ever subtract. Each mutation carries a
// fence (Redis server time in unix ms, 0 = none): past it the script changes nothing (TooLate), so a
// command Redis only runs after the caller gave up waiting (Redis was paused) has no effect.
// Plain data and pure functions, any thread.
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "redis/ClusterTransitions.h"
#include "redis/LuaScript.h"
#include "redis/RespValue.h"
#include "state/ClusterState.h"

namespace resound::redis::scripts {

// One subscription more (or `count`, when a resync re-registers them) of `channel`.
struct AddSubscription {
    using Answer = std::size_t;  // the cluster-wide subscription count after the call
    std::string nodeId;
    std::string appId;
    std::string channel;
    std::size_t count = 1;
    std::int64_t fenceMs = 0;

    ScriptCall encode() const;
    static ScriptResult<Answer> parse(const RespValue& reply);
};

// One subscription of this node less; one the node does not hold changes nothing.
struct RemoveSubscription {
    using Answer = std::size_t;  // the cluster-wide subscription count left (0: vacated)
    std::string nodeId;
    std::string appId;
    std::string channel;
    std::int64_t fenceMs = 0;

    ScriptCall encode() const;
    static ScriptResult<Answer> parse(const RespValue& reply);
};

// One connection (or `count`) of `member` joins a presence channel. The first join of a user stores
// its user_info; the roster comes back in join order when asked for.
struct JoinPresence {
    using Answer = state::PresenceJoin;  // RosterFull: nothing changed; members empty unless withRoster
    std::string nodeId;
    std::string appId;
    std::string channel;
    state::PresenceMember member;
    std::size_t maxMembers = 0;  // 0: no limit
    std::size_t count = 1;
    bool withRoster = true;
    std::int64_t fenceMs = 0;

    ScriptCall encode() const;
    static ScriptResult<Answer> parse(const RespValue& reply);
};

// One connection of this node's user leaves a presence channel.
struct LeavePresence {
    struct Answer {
        bool userLeft = false;  // that was the user's last connection cluster-wide: member_removed
    };
    std::string nodeId;
    std::string appId;
    std::string channel;
    std::string userKey;
    std::int64_t fenceMs = 0;

    ScriptCall encode() const;
    static ScriptResult<Answer> parse(const RespValue& reply);
};

// One connection (or `count`) more for an app, unless the app is at `limit` cluster-wide.
struct AddConnection {
    enum class Answer { Admitted, AtLimit };
    std::string nodeId;
    std::string appId;
    std::size_t limit = 0;  // 0: no limit
    std::size_t count = 1;
    std::int64_t fenceMs = 0;

    ScriptCall encode() const;
    static ScriptResult<Answer> parse(const RespValue& reply);
};

// One connection of this node less for an app.
struct RemoveConnection {
    enum class Answer { Removed, NothingOfOurs };
    std::string nodeId;
    std::string appId;
    std::int64_t fenceMs = 0;

    ScriptCall encode() const;
    static ScriptResult<Answer> parse(const RespValue& reply);
};

// The app's occupied channels whose names start with `prefix`, with their user counts (presence).
struct ListChannels {
    using Answer = std::vector<state::ChannelSummary>;  // sorted by name, as every reader answers them
    std::string appId;
    std::string prefix;

    ScriptCall encode() const;
    static ScriptResult<Answer> parse(const RespValue& reply);
};

// Stamps the node's heartbeat with Redis server time and writes its stats hash (EXPIRE statsTtl).
struct Heartbeat {
    struct Answer {
        enum class Lease {
            Renewed,               // serverTimeMs is the heartbeat's Redis time
            VanishedWithoutTrace,  // mustExist and no lease, no tombstone: Redis lost its data
            ReapedByPeer,          // mustExist and a reaper's tombstone: a peer subtracted this node
        };
        Lease lease = Lease::Renewed;
        std::int64_t serverTimeMs = 0;
    };
    std::string nodeId;
    bool mustExist = true;  // false: registering a new id
    std::chrono::seconds statsTtl{30};
    std::map<std::string, std::string> stats;  // empty: the stats hash is left alone

    ScriptCall encode() const;
    static ScriptResult<Answer> parse(const RespValue& reply);
};

// Claims dead nodes (ZREM) and subtracts their contributions: `nodeId`, or up to maxNodes nodes
// whose heartbeat is older than `lease`. Leaves a tombstone per reaped node.
struct Reap {
    struct Answer {
        std::vector<std::string> nodes;  // reaped by this call
        ClusterTransitions transitions;  // left and vacated only
    };
    std::chrono::milliseconds lease{0};
    std::string nodeId;  // empty: every expired node
    std::size_t maxNodes = 100;
    std::chrono::seconds tombstoneTtl{24 * 3600};

    ScriptCall encode() const;
    static ScriptResult<Answer> parse(const RespValue& reply);
};

// A call's result from a reply that may be missing (timeout, link down): NoAnswer then.
template <typename Call>
ScriptResult<typename Call::Answer> parseReply(const std::optional<RespValue>& reply) {
    if (!reply) return ScriptResult<typename Call::Answer>::failure(ScriptStatus::NoAnswer, "no answer");
    return Call::parse(*reply);
}

// "an integer -7", "an array of 3 elements", ... for errors about unexpected replies.
std::string describe(const RespValue& reply);

}  // namespace resound::redis::scripts
