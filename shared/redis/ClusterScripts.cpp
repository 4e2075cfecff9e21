#include "redis/ClusterScripts.h"

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

const LuaScript& addSubscription() {
    static const LuaScript script(RESOUND_FENCE("ARGV[5]") R"lua(
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then return -1 end
local n = tonumber(ARGV[4])
redis.call('HINCRBY', KEYS[3], ARGV[3], n)
return redis.call('HINCRBY', KEYS[2], ARGV[2], n)
)lua");
    return script;
}

const LuaScript& removeSubscription() {
    static const LuaScript script(RESOUND_FENCE("ARGV[4]") R"lua(
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then return -1 end
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

const LuaScript& joinPresence() {
    static const LuaScript script(RESOUND_FENCE("ARGV[8]") R"lua(
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then return -1 end
local status = 1
if redis.call('HEXISTS', KEYS[2], ARGV[2]) == 0 then
  local max = tonumber(ARGV[4])
  if max > 0 and redis.call('HLEN', KEYS[2]) >= max then return {2} end
  status = 0
  redis.call('HSET', KEYS[3], ARGV[2], ARGV[3])
  redis.call('ZADD', KEYS[4], redis.call('INCR', KEYS[5]), ARGV[2])
end
local n = tonumber(ARGV[6])
redis.call('HINCRBY', KEYS[2], ARGV[2], n)
redis.call('HINCRBY', KEYS[6], ARGV[5], n)
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

const LuaScript& leavePresence() {
    static const LuaScript script(RESOUND_FENCE("ARGV[4]") R"lua(
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then return -1 end
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

const LuaScript& addConnection() {
    static const LuaScript script(RESOUND_FENCE("ARGV[5]") R"lua(
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then return -1 end
local limit = tonumber(ARGV[3])
if limit > 0 and tonumber(redis.call('GET', KEYS[2]) or '0') >= limit then return 0 end
local n = tonumber(ARGV[4])
redis.call('INCRBY', KEYS[2], n)
redis.call('HINCRBY', KEYS[3], ARGV[2], n)
return 1
)lua");
    return script;
}

const LuaScript& removeConnection() {
    static const LuaScript script(RESOUND_FENCE("ARGV[3]") R"lua(
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then return -1 end
local mine = tonumber(redis.call('HGET', KEYS[3], ARGV[2]) or '0')
if mine <= 0 then return 0 end
if mine == 1 then redis.call('HDEL', KEYS[3], ARGV[2]) else redis.call('HINCRBY', KEYS[3], ARGV[2], -1) end
if redis.call('DECR', KEYS[2]) <= 0 then redis.call('DEL', KEYS[2]) end
return 1
)lua");
    return script;
}

const LuaScript& listChannels() {
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

const LuaScript& heartbeat() {
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

// Node keys are built here by concatenation, exactly as KeySchema builds them.
const LuaScript& reap() {
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

}  // namespace resound::redis::scripts

#undef RESOUND_FENCE
