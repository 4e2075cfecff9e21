#pragma once
// Every Redis key and pub/sub channel name this module uses, in one place (README.md has the table).
// The Lua scripts in ClusterScripts.cpp build the same names from app ids and node ids; keep both in
// step. Pure functions, any thread.
#include <string>
#include <string_view>

namespace resound::redis::keys {

// Pub/sub
std::string channelTopic(std::string_view appId, std::string_view channel);  // resound:{app}:ch:{channel}
std::string controlTopic(std::string_view appId);                            // resound:{app}:control
// The same names written into a reused buffer (the publish hot path).
void assignChannelTopic(std::string& out, std::string_view appId, std::string_view channel);
void assignControlTopic(std::string& out, std::string_view appId);

// Cluster state, per app
std::string channels(std::string_view appId);                                 // HASH channel -> count
std::string presence(std::string_view appId, std::string_view channel);       // HASH user -> refcount
std::string presenceInfo(std::string_view appId, std::string_view channel);   // HASH user -> member JSON
std::string presenceOrder(std::string_view appId, std::string_view channel);  // ZSET user -> join seq
std::string presenceSequence(std::string_view appId);                         // STRING counter
std::string connections(std::string_view appId);                              // STRING count
std::string cache(std::string_view appId, std::string_view channel);          // STRING event JSON, EX

// Nodes
std::string nodes();                                     // ZSET nodeId -> last heartbeat (unix ms)
std::string nodeSubscriptions(std::string_view nodeId);  // HASH "{app}\n{channel}" -> count
std::string nodePresence(std::string_view nodeId);       // HASH "{app}\n{channel}\n{user}" -> count
std::string nodeConnections(std::string_view nodeId);    // HASH app -> count
std::string nodeStats(std::string_view nodeId);          // HASH stats, EXPIRE 30 s
std::string nodeReaped(std::string_view nodeId);         // STRING tombstone left by the reaper

// Webhook queue (webhooks/WebhookQueue, WebhookKeys::withPrefix): this prefix + events, held,
// held:due, claimed:{sender}, senders, sequence, sender (the sender lease).
inline constexpr std::string_view kWebhookPrefix = "resound:webhooks:";

// The debug console's relay (shared/dashboard/DebugRelay.h)
std::string debugWatch();   // HASH monitorId -> {"updated_ms":..,"filters":[..]}, EXPIRE refreshed
std::string debugEvents();  // pub/sub: batches of DebugEvent JSON lines from edges and api nodes

// Fields of the node hashes.
std::string subscriptionField(std::string_view appId, std::string_view channel);
std::string presenceField(std::string_view appId, std::string_view channel, std::string_view userKey);

}  // namespace resound::redis::keys
