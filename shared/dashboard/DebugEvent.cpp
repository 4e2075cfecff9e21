#include "dashboard/DebugEvent.h"

#include <array>
#include <utility>

#include "json/JsonReader.h"
#include "json/JsonText.h"

namespace resound::dashboard {

namespace {

constexpr std::array<std::pair<DebugEvent::Kind, const char*>, 9> kKindNames{{
    {DebugEvent::Kind::ApiEvent, "api_event"},
    {DebugEvent::Kind::ClientEvent, "client_event"},
    {DebugEvent::Kind::Connected, "connected"},
    {DebugEvent::Kind::Disconnected, "disconnected"},
    {DebugEvent::Kind::Subscribed, "subscribed"},
    {DebugEvent::Kind::SubscriptionError, "subscription_error"},
    {DebugEvent::Kind::Unsubscribed, "unsubscribed"},
    {DebugEvent::Kind::WebhookDelivered, "webhook_delivered"},
    {DebugEvent::Kind::WebhookFailed, "webhook_failed"},
}};

void appendMember(std::string& out, const char* key, std::string_view value) {
    out += ",\"";
    out += key;
    out += "\":";
    json::appendQuoted(out, value);
}

void appendMember(std::string& out, const char* key, long long value) {
    out += ",\"";
    out += key;
    out += "\":";
    out += std::to_string(value);
}

std::string stringMember(const json::JsonValue& object, std::string_view key) {
    const json::JsonValue* value = object.find(key);
    return value && value->isString() ? value->text : std::string();
}

std::optional<long long> integerMember(const json::JsonValue& object, std::string_view key) {
    const json::JsonValue* value = object.find(key);
    if (!value || value->kind != json::JsonKind::Number) return std::nullopt;
    try {
        std::size_t used = 0;
        const long long number = std::stoll(value->text, &used);
        if (used != value->text.size()) return std::nullopt;
        return number;
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

}  // namespace

const char* toString(DebugEvent::Kind kind) {
    for (const auto& [k, name] : kKindNames) {
        if (k == kind) return name;
    }
    return "unknown";
}

std::optional<DebugEvent::Kind> kindFromString(std::string_view text) {
    for (const auto& [kind, name] : kKindNames) {
        if (text == name) return kind;
    }
    return std::nullopt;
}

std::string previewOf(std::string_view text) {
    if (text.size() <= kMaxDetailBytes) return std::string(text);
    std::size_t cut = kMaxDetailBytes;
    // Back off continuation bytes (10xxxxxx) so the cut never splits a character.
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
    std::string out(text.substr(0, cut));
    out += "\u2026";
    return out;
}

std::string toJson(const DebugEvent& event) {
    std::string out = "{\"kind\":\"";
    out += toString(event.kind);
    out += '"';
    appendMember(out, "time", static_cast<long long>(event.timeMs));
    appendMember(out, "app", event.appId);
    appendMember(out, "node", event.node);
    appendMember(out, "channel", event.channel);
    appendMember(out, "event", event.event);
    appendMember(out, "socket_id", event.socketId);
    appendMember(out, "bytes", static_cast<long long>(event.bytes));
    appendMember(out, "code", static_cast<long long>(event.code));
    appendMember(out, "detail", event.detail);
    out += '}';
    return out;
}

std::optional<DebugEvent> debugEventFromJson(std::string_view text) {
    const json::JsonReadResult read = json::readJson(text, 4);
    if (!read.ok() || !read.value.isObject()) return std::nullopt;
    const json::JsonValue& object = read.value;
    const json::JsonValue* kindValue = object.find("kind");
    if (!kindValue || !kindValue->isString()) return std::nullopt;
    const auto kind = kindFromString(kindValue->text);
    const auto time = integerMember(object, "time");
    if (!kind || !time) return std::nullopt;

    DebugEvent event;
    event.kind = *kind;
    event.timeMs = *time;
    event.appId = stringMember(object, "app");
    event.node = stringMember(object, "node");
    event.channel = stringMember(object, "channel");
    event.event = stringMember(object, "event");
    event.socketId = stringMember(object, "socket_id");
    const auto bytes = integerMember(object, "bytes");
    event.bytes = bytes && *bytes > 0 ? static_cast<std::size_t>(*bytes) : 0;
    const auto code = integerMember(object, "code");
    event.code = code && *code >= 0 && *code < 100000 ? static_cast<int>(*code) : 0;
    event.detail = previewOf(stringMember(object, "detail"));
    if (event.appId.empty()) return std::nullopt;
    return event;
}

}  // namespace resound::dashboard
