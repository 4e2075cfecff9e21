#pragma once
// One thing that happened in an app, as the dashboard's debug console shows it: an API publish, a
// client event, a connection opening or closing, a subscription (or its refusal), a webhook delivery.
// Built by the protocol, the HTTP API and the webhook sender only while a console watches (DebugTap),
// carried between processes as one JSON line (the bundle's Redis relay). A plain value: any thread.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace resound::dashboard {

struct DebugEvent {
    enum class Kind : std::uint8_t {
        ApiEvent,      // an event published through the HTTP API (channel, event, bytes, socketId = excluded)
        ClientEvent,   // a client-* event (whisper) sent by socketId
        Connected,     // socketId admitted (detail: origin)
        Disconnected,  // socketId gone (code: close code, 0 when the client just left; detail: reason)
        Subscribed,    // socketId subscribed to channel
        SubscriptionError,  // subscription refused (code: status, detail: why)
        Unsubscribed,       // socketId left channel
        WebhookDelivered,   // event = webhook name (channel_occupied, ...), code = HTTP status
        WebhookFailed,      // code = HTTP status or 0 (no answer), detail: why; may be retried
    };

    Kind kind = Kind::ApiEvent;
    std::int64_t timeMs = 0;  // Unix milliseconds when it happened
    std::string appId;
    std::string node;       // the process it happened in ("" in the all-in-one server)
    std::string channel;    // "" when not about a channel
    std::string event;      // event name (API, client event) or webhook name
    std::string socketId;   // the connection concerned; ApiEvent: the excluded socket_id, if any
    std::size_t bytes = 0;  // size of the event's data
    int code = 0;           // close code, subscription-error status, webhook HTTP status
    std::string detail;     // short human-readable text, or a data preview (see kMaxDetailBytes)
};

// A preview, not the payload: the console shows what an event carried without holding 10 KiB per row.
inline constexpr std::size_t kMaxDetailBytes = 512;

const char* toString(DebugEvent::Kind kind);
std::optional<DebugEvent::Kind> kindFromString(std::string_view text);

// Cuts `text` to at most kMaxDetailBytes on a UTF-8 boundary, marking the cut with "…".
std::string previewOf(std::string_view text);

// {"kind":"api_event","time":..,"app":..,"node":..,"channel":..,"event":..,"socket_id":..,"bytes":..,
//  "code":..,"detail":..}: compact, one line, valid JSON for any input.
std::string toJson(const DebugEvent& event);
// The inverse, for events relayed between processes; nullopt for anything that is not such a line.
std::optional<DebugEvent> debugEventFromJson(std::string_view text);

}  // namespace resound::dashboard
