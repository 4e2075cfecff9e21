#pragma once
// Pusher's webhook wire format: the JSON of one event, the request body {"time_ms","events"} and the
// X-Pusher-Signature over it (docs/protocol.md section 3). Pure functions; any thread.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "webhooks/WebhookSink.h"

namespace resound::webhooks {

// "channel_occupied", "member_added", ...: the name in the payload and in config event_types.
std::string_view eventTypeName(WebhookEvent::Kind kind);
std::optional<WebhookEvent::Kind> eventKindFromName(std::string_view name);
inline constexpr std::size_t kEventKindCount = 7;

// {"name":"member_added","channel":"presence-x","user_id":"42"} etc. client_event embeds `dataJson`
// verbatim (the data exactly as the client sent it) and adds user_id only on presence channels. An
// event with an id carries it last, as "id" (Resound's addition: receivers drop repeats by it).
std::string eventJson(const WebhookEvent& event);

// {"time_ms":<timeMs>,"events":[...]} from already encoded events.
std::string requestBody(std::int64_t timeMs, std::span<const std::string> eventJsons);

// The X-Resound-Webhook-Id of a request: the event's id for one event, else "batch-" and a hash of
// every event id in order (the same events in the same order give the same id).
std::string requestId(std::span<const std::string> eventIds);

// Lower-case hex HMAC-SHA256 of the exact body with the app secret.
std::string signature(std::string_view secret, std::string_view body);

}  // namespace resound::webhooks
