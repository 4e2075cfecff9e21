#include "redis/ClusterScripts.h"

#include <algorithm>

#include "redis/KeySchema.h"
#include "redis/PresenceInfo.h"

// Mutations carry a fence (Redis server time, unix ms; "0" = none) after which they must not run: the
// caller has stopped waiting by then, so a command Redis executes late (it was paused) has no effect
// instead of an unknown one.
#define RESOUND_FENCE(arg)                                                           \
    "if " arg                                                                        \
    " ~= '0' then\n"                                                                 \
    "  local t = redis.call('TIME')\n"                                               \
    "  if tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) > tonumber(" arg \
    ") then return -3 end\n"                                                         \
    "end\n"

namespace resound::redis::scripts {
namespace {

// ---- the scripts: the positional contract of each is the comment above it ---------------------------
// Costs per call matter (two mutations per connect+subscribe, ~6 us each on Redis 7.0): the lease check
// is ZRANK (nil when absent), not ZSCORE, whose answer Redis formats from a double with printf (a
// millisecond timestamp, ~1 us); counts (n) go to INCRBY/HINCRBY as the strings they arrived as rather
// than through tonumber() and back through printf("%.17g").

// KEYS nodes, channels, nodeSubs   ARGV nodeId, channel, field, n, fence -> count after, -1, -3
const LuaScript& addSubscriptionScript() {
    static const LuaScript script(RESOUND_FENCE("ARGV[5]") R"lua(
if not redis.call('ZRANK', KEYS[1], ARGV[1]) then return -1 end
redis.call('HINCRBY', KEYS[3], ARGV[3], ARGV[4])
return redis.call('HINCRBY', KEYS[2], ARGV[2], ARGV[4])
)lua");
    return script;
}

// KEYS nodes, channels, nodeSubs   ARGV nodeId, channel, field, fence    -> count after, -1, -3
const LuaScript& removeSubscriptionScript() {
    static const LuaScript script(RESOUND_FENCE("ARGV[4]") R"lua(
if not redis.call('ZRANK', KEYS[1], ARGV[1]) then return -1 end
local mine = tonumber(redis.call('HGET', KEYS[3], ARGV[3]) or '0')
if mine <= 0 then return tonumber(redis.call('HGET', KEYS[2], ARGV[2]) or '0') end
if mine == 1 then redis.call('HDEL', KEYS[3], ARGV[3]) else redis.call('HINCRBY', KEYS[3], ARGV[3], -1) end
local left = redis.call('HINCRBY', KEYS[2], ARGV[2], -1)
if left <= 0 then
  redis.call('HDEL', KEYS[2], ARGV[2])
  return 0
end
return left
)lua");
    return script;
}

// KEYS nodes, presence, info, order, seq, nodePresence
// ARGV nodeId, userKey, memberJson, maxMembers, field, n, withRoster ("1"/"0"), fence
// -> {status (0 Joined, 1 AlreadyPresent, 2 RosterFull), user1, info1, user2, info2...}, -1 or -3
const LuaScript& joinPresenceScript() {
    static const LuaScript script(RESOUND_FENCE("ARGV[8]") R"lua(
if not redis.call('ZRANK', KEYS[1], ARGV[1]) then return -1 end
local status = 1
if redis.call('HEXISTS', KEYS[2], ARGV[2]) == 0 then
  local max = tonumber(ARGV[4])
  if max > 0 and redis.call('HLEN', KEYS[2]) >= max then return {2} end
  status = 0
  redis.call('HSET', KEYS[3], ARGV[2], ARGV[3])
  redis.call('ZADD', KEYS[4], redis.call('INCR', KEYS[5]), ARGV[2])
end
redis.call('HINCRBY', KEYS[2], ARGV[2], ARGV[6])
redis.call('HINCRBY', KEYS[6], ARGV[5], ARGV[6])
local out = {status}
if ARGV[7] == '1' then
  for _, user in ipairs(redis.call('ZRANGE', KEYS[4], 0, -1)) do
    local info = redis.call('HGET', KEYS[3], user)
    if info then
      out[#out + 1] = user
      out[#out + 1] = info
    end
  end
end
return out
)lua");
    return script;
}

// KEYS nodes, presence, info, order, nodePresence   ARGV nodeId, userKey, field, fence
// -> 1 last left, 0, -1, -3
const LuaScript& leavePresenceScript() {
    static const LuaScript script(RESOUND_FENCE("ARGV[4]") R"lua(
if not redis.call('ZRANK', KEYS[1], ARGV[1]) then return -1 end
local mine = tonumber(redis.call('HGET', KEYS[5], ARGV[3]) or '0')
if mine <= 0 then return 0 end
if mine == 1 then redis.call('HDEL', KEYS[5], ARGV[3]) else redis.call('HINCRBY', KEYS[5], ARGV[3], -1) end
local left = redis.call('HINCRBY', KEYS[2], ARGV[2], -1)
if left <= 0 then
  redis.call('HDEL', KEYS[2], ARGV[2])
  redis.call('HDEL', KEYS[3], ARGV[2])
  redis.call('ZREM', KEYS[4], ARGV[2])
  return 1
end
return 0
)lua");
    return script;
}

// KEYS nodes, connections, nodeConns   ARGV nodeId, appId, limit, n, fence -> 1 added, 0 at limit, -1, -3
const LuaScript& addConnectionScript() {
    static const LuaScript script(RESOUND_FENCE("ARGV[5]") R"lua(
if not redis.call('ZRANK', KEYS[1], ARGV[1]) then return -1 end
local limit = tonumber(ARGV[3])
if limit > 0 and tonumber(redis.call('GET', KEYS[2]) or '0') >= limit then return 0 end
redis.call('INCRBY', KEYS[2], ARGV[4])
redis.call('HINCRBY', KEYS[3], ARGV[2], ARGV[4])
return 1
)lua");
    return script;
}

// KEYS nodes, connections, nodeConns   ARGV nodeId, appId, fence -> 1 removed, 0 nothing of ours, -1, -3
const LuaScript& removeConnectionScript() {
    static const LuaScript script(RESOUND_FENCE("ARGV[3]") R"lua(
if not redis.call('ZRANK', KEYS[1], ARGV[1]) then return -1 end
local mine = tonumber(redis.call('HGET', KEYS[3], ARGV[2]) or '0')
if mine <= 0 then return 0 end
if mine == 1 then redis.call('HDEL', KEYS[3], ARGV[2]) else redis.call('HINCRBY', KEYS[3], ARGV[2], -1) end
if redis.call('DECR', KEYS[2]) <= 0 then redis.call('DEL', KEYS[2]) end
return 1
)lua");
    return script;
}

// KEYS channels   ARGV appId, prefix -> {name, count, users, ...} for occupied channels
const LuaScript& listChannelsScript() {
    static const LuaScript script(R"lua(
local prefix = ARGV[2]
local all = redis.call('HGETALL', KEYS[1])
local out = {}
for i = 1, #all, 2 do
  local name = all[i]
  local count = tonumber(all[i + 1])
  if count and count > 0 and string.sub(name, 1, #prefix) == prefix then
    local users = 0
    if string.sub(name, 1, 9) == 'presence-' then
      users = redis.call('HLEN', 'resound:' .. ARGV[1] .. ':presence:' .. name)
    end
    out[#out + 1] = name
    out[#out + 1] = count
    out[#out + 1] = users
  end
end
return out
)lua");
    return script;
}

// KEYS nodes, stats, tombstone   ARGV nodeId, mustExist, statsTtlSeconds, field, value, ...
// -> heartbeat time (unix ms), -1 lease gone without a trace (Redis lost data), -2 reaped by a peer
const LuaScript& heartbeatScript() {
    static const LuaScript script(R"lua(
if ARGV[2] == '1' and not redis.call('ZSCORE', KEYS[1], ARGV[1]) then
  if redis.call('EXISTS', KEYS[3]) == 1 then return -2 end
  return -1
end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZADD', KEYS[1], now, ARGV[1])
if #ARGV > 3 then
  redis.call('HSET', KEYS[2], unpack(ARGV, 4))
  redis.call('EXPIRE', KEYS[2], ARGV[3])
end
return now
)lua");
    return script;
}

// KEYS nodes   ARGV leaseMs, nodeId ('' = every expired node), maxNodes, tombstoneTtlSeconds
// -> {{reaped node ids}, {{app, channel, user, memberJson}...}, {{app, channel}...}}
// Node keys are built here by concatenation, exactly as KeySchema builds them.
const LuaScript& reapScript() {
    static const LuaScript script(R"lua(
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local candidates
if ARGV[2] ~= '' then
  candidates = {ARGV[2]}
else
  candidates = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[1]), 'LIMIT', 0, tonumber(ARGV[3]))
end
local reaped, removed, vacated = {}, {}, {}
for _, node in ipairs(candidates) do
  -- ZREM answers 1 to exactly one caller: that reaper owns the node's contributions.
  if redis.call('ZREM', KEYS[1], node) == 1 then
    reaped[#reaped + 1] = node
    local base = 'resound:node:' .. node
    local subs = redis.call('HGETALL', base .. ':subs')
    for i = 1, #subs, 2 do
      local field, n = subs[i], tonumber(subs[i + 1])
      local cut = string.find(field, '\n', 1, true)
      if cut and n and n > 0 then
        local app, channel = string.sub(field, 1, cut - 1), string.sub(field, cut + 1)
        local key = 'resound:' .. app .. ':channels'
        if redis.call('HINCRBY', key, channel, -n) <= 0 then
          redis.call('HDEL', key, channel)
          vacated[#vacated + 1] = {app, channel}
        end
      end
    end
    local presence = redis.call('HGETALL', base .. ':presence')
    for i = 1, #presence, 2 do
      local field, n = presence[i], tonumber(presence[i + 1])
      local first = string.find(field, '\n', 1, true)
      local second = first and string.find(field, '\n', first + 1, true)
      if second and n and n > 0 then
        local app = string.sub(field, 1, first - 1)
        local channel = string.sub(field, first + 1, second - 1)
        local user = string.sub(field, second + 1)
        local key = 'resound:' .. app .. ':presence:' .. channel
        if redis.call('HINCRBY', key, user, -n) <= 0 then
          redis.call('HDEL', key, user)
          local infoKey = 'resound:' .. app .. ':presence_info:' .. channel
          local info = redis.call('HGET', infoKey, user) or ''
          redis.call('HDEL', infoKey, user)
          redis.call('ZREM', 'resound:' .. app .. ':presence_order:' .. channel, user)
          removed[#removed + 1] = {app, channel, user, info}
        end
      end
    end
    local conns = redis.call('HGETALL', base .. ':conns')
    for i = 1, #conns, 2 do
      local key = 'resound:' .. conns[i] .. ':connections'
      local n = tonumber(conns[i + 1])
      if n and n > 0 and redis.call('DECRBY', key, n) <= 0 then redis.call('DEL', key) end
    end
    redis.call('DEL', base .. ':subs', base .. ':presence', base .. ':conns', base .. ':stats')
    redis.call('SET', base .. ':reaped', now, 'EX', tonumber(ARGV[4]))
  end
end
return {reaped, removed, vacated}
)lua");
    return script;
}

// ---- reply parsing ---------------------------------------------------------------------------------

constexpr std::int64_t kLeaseLost = -1;
constexpr std::int64_t kTooLate = -3;

template <typename Answer>
ScriptResult<Answer> unexpected(const char* script, const char* expected, const RespValue& reply) {
    return ScriptResult<Answer>::failure(
        ScriptStatus::UnexpectedReply,
        std::string(script) + ": expected " + expected + ", got " + describe(reply));
}

// The answers every mutation shares: an error reply, -1 (lease lost) or -3 (past the fence).
template <typename Answer>
std::optional<ScriptResult<Answer>> refusalOf(const RespValue& reply) {
    if (reply.isError()) return ScriptResult<Answer>::failure(ScriptStatus::RedisError, reply.text);
    if (reply.isInteger() && reply.integer == kLeaseLost)
        return ScriptResult<Answer>::failure(ScriptStatus::LeaseLost, "this node is not in resound:nodes");
    if (reply.isInteger() && reply.integer == kTooLate)
        return ScriptResult<Answer>::failure(ScriptStatus::TooLate, "Redis ran the call after its fence");
    return std::nullopt;
}

// A mutation that answers a count (>= 0), or the refusal / unexpected reply it got instead.
template <typename Answer>
ScriptResult<Answer> countReply(const char* script, const RespValue& reply) {
    if (auto refused = refusalOf<Answer>(reply)) return std::move(*refused);
    if (!reply.isInteger() || reply.integer < 0) return unexpected<Answer>(script, "a count >= 0", reply);
    return ScriptResult<Answer>::success(static_cast<Answer>(reply.integer));
}

// A mutation that answers 0 or 1, named `ifZero` / `ifOne`.
template <typename Answer>
ScriptResult<Answer> zeroOrOneReply(const char* script, const RespValue& reply, Answer ifZero, Answer ifOne) {
    if (auto refused = refusalOf<Answer>(reply)) return std::move(*refused);
    if (!reply.isInteger() || (reply.integer != 0 && reply.integer != 1))
        return unexpected<Answer>(script, "0 or 1", reply);
    return ScriptResult<Answer>::success(reply.integer == 1 ? ifOne : ifZero);
}

std::string fenceArg(std::int64_t fenceMs) { return std::to_string(std::max<std::int64_t>(0, fenceMs)); }

}  // namespace

std::string describe(const RespValue& reply) {
    switch (reply.type) {
        case RespValue::Type::SimpleString:
            return "a status \"" + reply.text + "\"";
        case RespValue::Type::Error:
            return "an error \"" + reply.text + "\"";
        case RespValue::Type::Integer:
            return "an integer " + std::to_string(reply.integer);
        case RespValue::Type::BulkString:
            return "a string of " + std::to_string(reply.text.size()) + " bytes";
        case RespValue::Type::Array:
            return "an array of " + std::to_string(reply.elements.size()) + " elements";
        case RespValue::Type::NullBulk:
        case RespValue::Type::NullArray:
            return "null";
    }
    return "?";
}

// ---- subscriptions ---------------------------------------------------------------------------------

ScriptCall AddSubscription::encode() const {
    return ScriptCall{
        &addSubscriptionScript(),
        {keys::nodes(), keys::channels(appId), keys::nodeSubscriptions(nodeId)},
        {nodeId, channel, keys::subscriptionField(appId, channel), std::to_string(count), fenceArg(fenceMs)}};
}

ScriptResult<AddSubscription::Answer> AddSubscription::parse(const RespValue& reply) {
    return countReply<Answer>("addSubscription", reply);
}

ScriptCall RemoveSubscription::encode() const {
    return ScriptCall{&removeSubscriptionScript(),
                      {keys::nodes(), keys::channels(appId), keys::nodeSubscriptions(nodeId)},
                      {nodeId, channel, keys::subscriptionField(appId, channel), fenceArg(fenceMs)}};
}

ScriptResult<RemoveSubscription::Answer> RemoveSubscription::parse(const RespValue& reply) {
    return countReply<Answer>("removeSubscription", reply);
}

// ---- presence --------------------------------------------------------------------------------------

ScriptCall JoinPresence::encode() const {
    return ScriptCall{
        &joinPresenceScript(),
        {keys::nodes(), keys::presence(appId, channel), keys::presenceInfo(appId, channel),
         keys::presenceOrder(appId, channel), keys::presenceSequence(appId), keys::nodePresence(nodeId)},
        {nodeId, member.userKey, encodePresenceInfo(member), std::to_string(maxMembers),
         keys::presenceField(appId, channel, member.userKey), std::to_string(count), withRoster ? "1" : "0",
         fenceArg(fenceMs)}};
}

ScriptResult<JoinPresence::Answer> JoinPresence::parse(const RespValue& reply) {
    if (auto refused = refusalOf<Answer>(reply)) return std::move(*refused);
    constexpr const char* kShape = "{status 0..2, user, info, ...}";
    if (!reply.isArray() || reply.elements.empty() || !reply.elements[0].isInteger() ||
        reply.elements.size() % 2 == 0)
        return unexpected<Answer>("joinPresence", kShape, reply);
    state::PresenceJoin join;
    switch (reply.elements[0].integer) {
        case 0:
            join.status = state::PresenceJoinStatus::Joined;
            break;
        case 1:
            join.status = state::PresenceJoinStatus::AlreadyPresent;
            break;
        case 2:
            join.status = state::PresenceJoinStatus::RosterFull;
            break;
        default:
            return unexpected<Answer>("joinPresence", kShape, reply);
    }
    const auto& e = reply.elements;
    join.members.reserve(e.size() / 2);
    for (std::size_t i = 1; i + 1 < e.size(); i += 2) {
        if (!e[i].isString() || !e[i + 1].isString())
            return unexpected<Answer>("joinPresence", kShape, reply);
        join.members.push_back(presenceMemberOf(e[i].text, e[i + 1].text));
    }
    return ScriptResult<Answer>::success(std::move(join));
}

ScriptCall LeavePresence::encode() const {
    return ScriptCall{&leavePresenceScript(),
                      {keys::nodes(), keys::presence(appId, channel), keys::presenceInfo(appId, channel),
                       keys::presenceOrder(appId, channel), keys::nodePresence(nodeId)},
                      {nodeId, userKey, keys::presenceField(appId, channel, userKey), fenceArg(fenceMs)}};
}

ScriptResult<LeavePresence::Answer> LeavePresence::parse(const RespValue& reply) {
    return zeroOrOneReply<Answer>("leavePresence", reply, Answer{false}, Answer{true});
}

// ---- connections -----------------------------------------------------------------------------------

ScriptCall AddConnection::encode() const {
    return ScriptCall{&addConnectionScript(),
                      {keys::nodes(), keys::connections(appId), keys::nodeConnections(nodeId)},
                      {nodeId, appId, std::to_string(limit), std::to_string(count), fenceArg(fenceMs)}};
}

ScriptResult<AddConnection::Answer> AddConnection::parse(const RespValue& reply) {
    return zeroOrOneReply<Answer>("addConnection", reply, Answer::AtLimit, Answer::Admitted);
}

ScriptCall RemoveConnection::encode() const {
    return ScriptCall{&removeConnectionScript(),
                      {keys::nodes(), keys::connections(appId), keys::nodeConnections(nodeId)},
                      {nodeId, appId, fenceArg(fenceMs)}};
}

ScriptResult<RemoveConnection::Answer> RemoveConnection::parse(const RespValue& reply) {
    return zeroOrOneReply<Answer>("removeConnection", reply, Answer::NothingOfOurs, Answer::Removed);
}

// ---- reads and upkeep ------------------------------------------------------------------------------

ScriptCall ListChannels::encode() const {
    return ScriptCall{&listChannelsScript(), {keys::channels(appId)}, {appId, prefix}};
}

ScriptResult<ListChannels::Answer> ListChannels::parse(const RespValue& reply) {
    if (reply.isError()) return ScriptResult<Answer>::failure(ScriptStatus::RedisError, reply.text);
    constexpr const char* kShape = "{name, count, users, ...}";
    if (!reply.isArray() || reply.elements.size() % 3 != 0)
        return unexpected<Answer>("listChannels", kShape, reply);
    Answer channels;
    const auto& e = reply.elements;
    channels.reserve(e.size() / 3);
    for (std::size_t i = 0; i < e.size(); i += 3) {
        if (!e[i].isString() || !e[i + 1].isInteger() || !e[i + 2].isInteger())
            return unexpected<Answer>("listChannels", kShape, reply);
        channels.push_back(state::ChannelSummary{
            e[i].text, static_cast<std::size_t>(std::max<std::int64_t>(0, e[i + 1].integer)),
            static_cast<std::size_t>(std::max<std::int64_t>(0, e[i + 2].integer))});
    }
    // The hash's order is arbitrary; the blocking and the loop reads both answer the API in name order.
    std::sort(channels.begin(), channels.end(),
              [](const state::ChannelSummary& a, const state::ChannelSummary& b) { return a.name < b.name; });
    return ScriptResult<Answer>::success(std::move(channels));
}

ScriptCall Heartbeat::encode() const {
    ScriptCall call{&heartbeatScript(),
                    {keys::nodes(), keys::nodeStats(nodeId), keys::nodeReaped(nodeId)},
                    {nodeId, mustExist ? "1" : "0", std::to_string(statsTtl.count())}};
    call.args.reserve(3 + 2 * stats.size());
    for (const auto& [field, value] : stats) {
        call.args.push_back(field);
        call.args.push_back(value);
    }
    return call;
}

ScriptResult<Heartbeat::Answer> Heartbeat::parse(const RespValue& reply) {
    if (reply.isError()) return ScriptResult<Answer>::failure(ScriptStatus::RedisError, reply.text);
    if (!reply.isInteger() || reply.integer == 0 || reply.integer < -2)
        return unexpected<Answer>("heartbeat", "a server time, -1 or -2", reply);
    if (reply.integer == -1) return ScriptResult<Answer>::success({Answer::Lease::VanishedWithoutTrace, 0});
    if (reply.integer == -2) return ScriptResult<Answer>::success({Answer::Lease::ReapedByPeer, 0});
    return ScriptResult<Answer>::success({Answer::Lease::Renewed, reply.integer});
}

ScriptCall Reap::encode() const {
    return ScriptCall{&reapScript(),
                      {keys::nodes()},
                      {std::to_string(lease.count()), nodeId, std::to_string(maxNodes),
                       std::to_string(tombstoneTtl.count())}};
}

ScriptResult<Reap::Answer> Reap::parse(const RespValue& reply) {
    if (reply.isError()) return ScriptResult<Answer>::failure(ScriptStatus::RedisError, reply.text);
    constexpr const char* kShape =
        "{{node, ...}, {{app, channel, user, member}, ...}, {{app, channel}, ...}}";
    if (!reply.isArray() || reply.elements.size() != 3 ||
        !std::all_of(reply.elements.begin(), reply.elements.end(),
                     [](const RespValue& e) { return e.isArray(); }))
        return unexpected<Answer>("reap", kShape, reply);
    Answer reaped;
    for (const RespValue& node : reply.elements[0].elements) {
        if (!node.isString()) return unexpected<Answer>("reap", kShape, reply);
        reaped.nodes.push_back(node.text);
    }
    for (const RespValue& left : reply.elements[1].elements) {
        if (!left.isArray() || left.elements.size() != 4 ||
            !std::all_of(left.elements.begin(), left.elements.end(),
                         [](const RespValue& e) { return e.isString(); }))
            return unexpected<Answer>("reap", kShape, reply);
        const auto& f = left.elements;
        reaped.transitions.left.push_back({f[0].text, f[1].text, presenceMemberOf(f[2].text, f[3].text)});
    }
    for (const RespValue& vacated : reply.elements[2].elements) {
        if (!vacated.isArray() || vacated.elements.size() != 2 || !vacated.elements[0].isString() ||
            !vacated.elements[1].isString())
            return unexpected<Answer>("reap", kShape, reply);
        reaped.transitions.vacated.push_back({vacated.elements[0].text, vacated.elements[1].text});
    }
    return ScriptResult<Answer>::success(std::move(reaped));
}

}  // namespace resound::redis::scripts

#undef RESOUND_FENCE
