#pragma once
// The Lua scripts behind RedisClusterState, NodeLease and Reaper: each mutation updates the cluster
// key and this node's key in one atomic step and returns what the caller needs. Mutations first check
// that the node still holds its lease (is in resound:nodes) and return -1 if not, so a node that was
// reaped never adds contributions nobody would ever subtract. Each mutation's last argument is a fence
// (Redis server time in unix ms, "0" = none): past it the script returns -3 and changes nothing, so
// a command Redis only runs after the caller gave up waiting (Redis was paused) has no effect.
// Immutable, any thread.
#include "redis/LuaScript.h"

namespace resound::redis::scripts {

// KEYS nodes, channels, nodeSubs   ARGV nodeId, channel, field, n, fence -> count after, -1, -3
const LuaScript& addSubscription();
// KEYS nodes, channels, nodeSubs   ARGV nodeId, channel, field, fence    -> count after, -1, -3
const LuaScript& removeSubscription();
// KEYS nodes, presence, info, order, seq, nodePresence
// ARGV nodeId, userKey, memberJson, maxMembers, field, n, withRoster ("1"/"0"), fence
// -> {status (0 Joined, 1 AlreadyPresent, 2 RosterFull), user1, info1, user2, info2...}, -1 or -3
const LuaScript& joinPresence();
// KEYS nodes, presence, info, order, nodePresence   ARGV nodeId, userKey, field, fence -> 1 last left, 0, -1,
// -3
const LuaScript& leavePresence();
// KEYS nodes, connections, nodeConns   ARGV nodeId, appId, limit, n, fence -> 1 added, 0 at limit, -1, -3
const LuaScript& addConnection();
// KEYS nodes, connections, nodeConns   ARGV nodeId, appId, fence -> 1 removed, 0 nothing of ours, -1, -3
const LuaScript& removeConnection();
// KEYS channels   ARGV appId, prefix -> {name, count, users, ...} for occupied channels
const LuaScript& listChannels();
// KEYS nodes, stats, tombstone   ARGV nodeId, mustExist, statsTtlSeconds, field, value, ...
// -> heartbeat time (unix ms), -1 lease gone without a trace (Redis lost data), -2 reaped by a peer
const LuaScript& heartbeat();
// KEYS nodes   ARGV leaseMs, nodeId ('' = every expired node), maxNodes, tombstoneTtlSeconds
// -> {{reaped node ids}, {{app, channel, user, memberJson}...}, {{app, channel}...}}
const LuaScript& reap();

}  // namespace resound::redis::scripts
