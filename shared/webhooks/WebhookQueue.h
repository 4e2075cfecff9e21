#pragma once
// The bundle's webhook queue as it lives in Redis, and the atomic Lua scripts that move events through
// it. Every accepted event stays in Redis until a sender settled it:
//
//   edge ── push ──► events (list) ◄── a leave whose grace period ran out
//              └──► held (hash: pair -> entry) + heldDue (zset: pair -> due, Redis time)
//                      a join within the grace deletes the held leave: nothing is sent for either
//   sender ── claim ──► claimed:<sender> (zset, ordered by claim) ── 2xx or dropped for good ──► ZREM
//   a new sender (lease taken) / a stopping one ── requeue ──► back to the head of events, in order
//
// The grace period lives in Redis, so it holds across edges and across a sender change. Claims are
// atomic (one script moves the entry from the list into the claimed set and checks the lease), so an
// event is never in two senders' hands, and an entry leaves Redis only after its outcome is final: a
// sender that dies before that leaves it for the next one (delivered at least once; receivers drop
// repeats by the event id). Only app ids and events cross Redis: no secret. Any thread; each call is
// one round trip on the caller's connection and throws Poco::Exception when Redis does not answer.
#include <Poco/Redis/Client.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "redis/KeySchema.h"
#include "webhooks/WebhookSink.h"

namespace resound::webhooks {

struct WebhookKeys {
    std::string events;         // list of entries waiting for a sender
    std::string held;           // hash: pair key -> leave entry in its grace period
    std::string heldDue;        // sorted set: pair key -> due time (Redis ms)
    std::string claimedPrefix;  // + sender id: sorted set of that sender's unsettled entries
    std::string senders;        // set of sender ids that may have a claimed set
    std::string sequence;       // counter: the claim order (scores in the claimed sets)
    std::string lease;          // SenderLease

    // "resound:webhooks:" gives resound:webhooks:events, ...:sender, ...
    static WebhookKeys withPrefix(std::string_view prefix);
};

inline constexpr std::string_view kWebhookKeyPrefix = redis::keys::kWebhookPrefix;

// How an event takes part in the grace period.
enum class GraceRole { Leave, Join, Other };
GraceRole graceRole(WebhookEvent::Kind kind);
// What pairs a leave with the join that cancels it: app, channel and, for members, the user.
std::string pairKey(std::string_view appId, const WebhookEvent& event);

struct PushItem {
    GraceRole role = GraceRole::Other;
    std::string pair;
    int graceMs = 0;
    std::string entry;  // encodeQueuedEvent
};

struct PushOutcome {
    std::int64_t queued = 0;     // appended to the list (promoted leaves included)
    std::int64_t held = 0;       // leaves now in their grace period
    std::int64_t cancelled = 0;  // leave/join pairs cancelled
    std::int64_t trimmed = 0;    // oldest entries cut because the list was over maxLength
};

// The edge side: applies the grace period and appends the rest, then trims the list to maxLength.
PushOutcome pushEvents(Poco::Redis::Client& client, const WebhookKeys& keys,
                       const std::vector<PushItem>& items, std::size_t maxLength);

struct ClaimOutcome {
    bool leaseHeld = false;            // false: nothing was claimed (another sender holds the lease)
    std::vector<std::string> entries;  // claimed, oldest first
    std::int64_t waiting = 0;          // entries left in the list
    std::int64_t inGrace = 0;          // leaves in their grace period
};

// The sender side: moves due leaves to the list, then claims up to `max` entries (0: none, only the
// counts) into the sender's claimed set; refused unless `senderId` holds the lease.
ClaimOutcome claimEvents(Poco::Redis::Client& client, const WebhookKeys& keys, const std::string& senderId,
                         std::size_t max);

// Removes settled entries from the sender's claimed set.
void settleEvents(Poco::Redis::Client& client, const WebhookKeys& keys, const std::string& senderId,
                  const std::vector<std::string>& entries);

// Puts the claimed entries of every other sender (needs the lease: a new sender taking over) or of
// `senderId` itself (a stopping sender) back at the head of the list, in claim order. Returns how
// many; -1 when `others` and the lease is not ours.
std::int64_t requeueClaimed(Poco::Redis::Client& client, const WebhookKeys& keys, const std::string& senderId,
                            bool others);

// Every entry in the sender's claimed set (after a reconnect: to find claims whose reply was lost).
std::vector<std::string> claimedEntries(Poco::Redis::Client& client, const WebhookKeys& keys,
                                        const std::string& senderId);
// Moves these entries from the sender's claimed set back to the head of the list (only those still in
// the set); returns how many moved.
std::int64_t requeueEntries(Poco::Redis::Client& client, const WebhookKeys& keys, const std::string& senderId,
                            const std::vector<std::string>& entries);

}  // namespace resound::webhooks
