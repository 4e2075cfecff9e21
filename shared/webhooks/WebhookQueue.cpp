#include "webhooks/WebhookQueue.h"

#include <Poco/Redis/Array.h>
#include <Poco/Redis/Type.h>

namespace resound::webhooks {
namespace {

// Redis time in ms, so every edge and sender measures the grace period on one clock.
constexpr const char* kNow = R"lua(
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
)lua";

// KEYS: events, held, heldDue. ARGV[1] max length, then per event: role (l/j/o), pair, grace ms, entry.
constexpr const char* kPush = R"lua(
local queued, held, cancelled, trimmed = 0, 0, 0, 0
for i = 2, #ARGV, 4 do
  local role, pair, grace, entry = ARGV[i], ARGV[i + 1], tonumber(ARGV[i + 2]), ARGV[i + 3]
  if role == 'l' and grace > 0 then
    -- A second leave without a join in between keeps the first.
    if redis.call('HSETNX', KEYS[2], pair, entry) == 1 then
      redis.call('ZADD', KEYS[3], now + grace, pair)
      held = held + 1
    end
  else
    local leave = false
    if role == 'j' then leave = redis.call('HGET', KEYS[2], pair) end
    if leave then
      local due = tonumber(redis.call('ZSCORE', KEYS[3], pair) or '0')
      redis.call('HDEL', KEYS[2], pair)
      redis.call('ZREM', KEYS[3], pair)
      if due > now then
        cancelled = cancelled + 1
      else
        -- The leave's grace ran out before a sender moved it: it goes first, then the join.
        redis.call('RPUSH', KEYS[1], leave, entry)
        queued = queued + 2
      end
    else
      redis.call('RPUSH', KEYS[1], entry)
      queued = queued + 1
    end
  end
end
local length = redis.call('LLEN', KEYS[1])
local cap = tonumber(ARGV[1])
if length > cap then
  redis.call('LTRIM', KEYS[1], -cap, -1)
  trimmed = length - cap
end
return {queued, held, cancelled, trimmed}
)lua";

// KEYS: lease, events, held, heldDue, claimed (ours), senders, sequence. ARGV: sender id, max claims.
constexpr const char* kClaim = R"lua(
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return {0, 0, 0} end
local due = redis.call('ZRANGEBYSCORE', KEYS[4], '-inf', now, 'LIMIT', 0, 1000)
for _, pair in ipairs(due) do
  local leave = redis.call('HGET', KEYS[3], pair)
  redis.call('HDEL', KEYS[3], pair)
  redis.call('ZREM', KEYS[4], pair)
  if leave then redis.call('RPUSH', KEYS[2], leave) end
end
local out = {1, 0, 0}
local max = tonumber(ARGV[2])
if max > 0 then
  local entries = redis.call('LPOP', KEYS[2], max)
  if entries then
    local first = redis.call('INCRBY', KEYS[7], #entries) - #entries
    redis.call('SADD', KEYS[6], ARGV[1])
    for i, entry in ipairs(entries) do
      redis.call('ZADD', KEYS[5], first + i, entry)
      out[#out + 1] = entry
    end
  end
end
out[2] = redis.call('LLEN', KEYS[2])
out[3] = redis.call('ZCARD', KEYS[4])
return out
)lua";

// KEYS: lease, events, senders. ARGV: sender id, 'others' | 'self', claimed-set prefix.
constexpr const char* kRequeue = R"lua(
local ids
if ARGV[2] == 'others' then
  if redis.call('GET', KEYS[1]) ~= ARGV[1] then return -1 end
  ids = redis.call('SMEMBERS', KEYS[3])
else
  ids = {ARGV[1]}
end
local moved = 0
for _, id in ipairs(ids) do
  if ARGV[2] == 'self' or id ~= ARGV[1] then
    local key = ARGV[3] .. id
    local entries = redis.call('ZRANGE', key, 0, -1)
    for i = #entries, 1, -1 do redis.call('LPUSH', KEYS[2], entries[i]) end
    moved = moved + #entries
    redis.call('DEL', key)
    redis.call('SREM', KEYS[3], id)
  end
end
return moved
)lua";

// KEYS: claimed (ours), events. ARGV: entries, oldest first.
constexpr const char* kRequeueEntries = R"lua(
local moved = 0
for i = #ARGV, 1, -1 do
  if redis.call('ZREM', KEYS[1], ARGV[i]) == 1 then
    redis.call('LPUSH', KEYS[2], ARGV[i])
    moved = moved + 1
  end
end
return moved
)lua";

const std::string& pushScript() {
    static const std::string script = std::string(kNow) + kPush;
    return script;
}

const std::string& claimScript() {
    static const std::string script = std::string(kNow) + kClaim;
    return script;
}

char roleLetter(GraceRole role) {
    switch (role) {
        case GraceRole::Leave:
            return 'l';
        case GraceRole::Join:
            return 'j';
        case GraceRole::Other:
            break;
    }
    return 'o';
}

}  // namespace

WebhookKeys WebhookKeys::withPrefix(std::string_view prefix) {
    const std::string p(prefix);
    return WebhookKeys{p + "events",  p + "held",     p + "held:due", p + "claimed:",
                       p + "senders", p + "sequence", p + "sender"};
}

GraceRole graceRole(WebhookEvent::Kind kind) {
    using Kind = WebhookEvent::Kind;
    if (kind == Kind::ChannelVacated || kind == Kind::MemberRemoved) return GraceRole::Leave;
    if (kind == Kind::ChannelOccupied || kind == Kind::MemberAdded) return GraceRole::Join;
    return GraceRole::Other;
}

std::string pairKey(std::string_view appId, const WebhookEvent& event) {
    using Kind = WebhookEvent::Kind;
    const bool member = event.kind == Kind::MemberAdded || event.kind == Kind::MemberRemoved;
    std::string key(member ? "m\n" : "c\n");
    key += appId;
    key += '\n';
    key += event.channel;
    if (member) {
        key += '\n';
        key += event.userId;
    }
    return key;
}

PushOutcome pushEvents(Poco::Redis::Client& client, const WebhookKeys& keys,
                       const std::vector<PushItem>& items, std::size_t maxLength) {
    Poco::Redis::Array eval;
    eval << "EVAL" << pushScript() << "3" << keys.events << keys.held << keys.heldDue
         << std::to_string(maxLength);
    for (const auto& item : items) {
        eval << std::string(1, roleLetter(item.role)) << item.pair << std::to_string(item.graceMs)
             << item.entry;
    }
    const auto reply = client.execute<Poco::Redis::Array>(eval);
    PushOutcome outcome;
    outcome.queued = reply.get<Poco::Int64>(0);
    outcome.held = reply.get<Poco::Int64>(1);
    outcome.cancelled = reply.get<Poco::Int64>(2);
    outcome.trimmed = reply.get<Poco::Int64>(3);
    return outcome;
}

ClaimOutcome claimEvents(Poco::Redis::Client& client, const WebhookKeys& keys, const std::string& senderId,
                         std::size_t max) {
    Poco::Redis::Array eval;
    eval << "EVAL" << claimScript() << "7" << keys.lease << keys.events << keys.held << keys.heldDue
         << keys.claimedPrefix + senderId << keys.senders << keys.sequence << senderId << std::to_string(max);
    const auto reply = client.execute<Poco::Redis::Array>(eval);
    ClaimOutcome outcome;
    outcome.leaseHeld = reply.get<Poco::Int64>(0) == 1;
    outcome.waiting = reply.get<Poco::Int64>(1);
    outcome.inGrace = reply.get<Poco::Int64>(2);
    for (std::size_t i = 3; i < reply.size(); ++i) {
        const auto entry = reply.get<Poco::Redis::BulkString>(i);
        if (!entry.isNull()) outcome.entries.push_back(entry.value());
    }
    return outcome;
}

void settleEvents(Poco::Redis::Client& client, const WebhookKeys& keys, const std::string& senderId,
                  const std::vector<std::string>& entries) {
    if (entries.empty()) return;
    Poco::Redis::Array zrem;
    zrem << "ZREM" << keys.claimedPrefix + senderId;
    for (const auto& entry : entries) zrem << entry;
    client.execute<Poco::Int64>(zrem);
}

std::int64_t requeueClaimed(Poco::Redis::Client& client, const WebhookKeys& keys, const std::string& senderId,
                            bool others) {
    Poco::Redis::Array eval;
    eval << "EVAL" << kRequeue << "3" << keys.lease << keys.events << keys.senders << senderId
         << (others ? "others" : "self") << keys.claimedPrefix;
    return client.execute<Poco::Int64>(eval);
}

std::vector<std::string> claimedEntries(Poco::Redis::Client& client, const WebhookKeys& keys,
                                        const std::string& senderId) {
    Poco::Redis::Array zrange;
    zrange << "ZRANGE" << keys.claimedPrefix + senderId << "0"
           << "-1";
    const auto reply = client.execute<Poco::Redis::Array>(zrange);
    std::vector<std::string> entries;
    if (reply.isNull()) return entries;  // Poco's Array is null for an empty reply: size() would throw
    for (std::size_t i = 0; i < reply.size(); ++i) {
        const auto entry = reply.get<Poco::Redis::BulkString>(i);
        if (!entry.isNull()) entries.push_back(entry.value());
    }
    return entries;
}

std::int64_t requeueEntries(Poco::Redis::Client& client, const WebhookKeys& keys, const std::string& senderId,
                            const std::vector<std::string>& entries) {
    if (entries.empty()) return 0;
    Poco::Redis::Array eval;
    eval << "EVAL" << kRequeueEntries << "2" << keys.claimedPrefix + senderId << keys.events;
    for (const auto& entry : entries) eval << entry;
    return client.execute<Poco::Int64>(eval);
}

}  // namespace resound::webhooks
