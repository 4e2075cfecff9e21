#include "webhooks/WebhookPayload.h"

#include <array>

#include "crypto/Digest.h"
#include "json/JsonText.h"

namespace resound::webhooks {
namespace {

using Kind = WebhookEvent::Kind;

constexpr std::array<std::pair<Kind, std::string_view>, kEventKindCount> kNames{{
    {Kind::ChannelOccupied, "channel_occupied"},
    {Kind::ChannelVacated, "channel_vacated"},
    {Kind::MemberAdded, "member_added"},
    {Kind::MemberRemoved, "member_removed"},
    {Kind::ClientEvent, "client_event"},
    {Kind::CacheMiss, "cache_miss"},
    {Kind::SubscriptionCount, "subscription_count"},
}};

void field(std::string& out, std::string_view name, std::string_view value) {
    out += ",\"";
    out += name;
    out += "\":";
    json::appendQuoted(out, value);
}

}  // namespace

std::string_view eventTypeName(Kind kind) {
    for (const auto& [k, name] : kNames) {
        if (k == kind) return name;
    }
    return "unknown";
}

std::optional<Kind> eventKindFromName(std::string_view name) {
    for (const auto& [k, n] : kNames) {
        if (n == name) return k;
    }
    return std::nullopt;
}

std::string eventJson(const WebhookEvent& event) {
    std::string out = "{\"name\":";
    json::appendQuoted(out, eventTypeName(event.kind));
    field(out, "channel", event.channel);
    switch (event.kind) {
        case Kind::MemberAdded:
        case Kind::MemberRemoved:
            field(out, "user_id", event.userId);
            break;
        case Kind::ClientEvent:
            field(out, "event", event.event);
            out += ",\"data\":";
            out += event.dataJson.empty() ? std::string_view("null") : std::string_view(event.dataJson);
            field(out, "socket_id", event.socketId);
            if (!event.userId.empty()) field(out, "user_id", event.userId);
            break;
        case Kind::SubscriptionCount:
            out += ",\"subscription_count\":" + std::to_string(event.subscriptionCount);
            break;
        case Kind::ChannelOccupied:
        case Kind::ChannelVacated:
        case Kind::CacheMiss:
            break;
    }
    if (!event.id.empty()) field(out, "id", event.id);
    out += '}';
    return out;
}

std::string requestBody(std::int64_t timeMs, std::span<const std::string> eventJsons) {
    std::size_t size = 40;
    for (const auto& e : eventJsons) size += e.size() + 1;
    std::string out;
    out.reserve(size);
    out += "{\"time_ms\":" + std::to_string(timeMs) + ",\"events\":[";
    for (std::size_t i = 0; i < eventJsons.size(); ++i) {
        if (i > 0) out += ',';
        out += eventJsons[i];
    }
    out += "]}";
    return out;
}

std::string requestId(std::span<const std::string> eventIds) {
    if (eventIds.size() == 1) return eventIds.front();
    std::string joined;
    for (const auto& id : eventIds) {
        joined += id;
        joined += '\n';
    }
    const std::string digest = crypto::sha256(joined);
    return "batch-" + crypto::toHex(reinterpret_cast<const std::uint8_t*>(digest.data()), 16);
}

std::string signature(std::string_view secret, std::string_view body) {
    return crypto::hmacSha256Hex(secret, body);
}

}  // namespace resound::webhooks
