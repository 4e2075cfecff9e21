#include "webhooks/QueuedEventCodec.h"

#include <Poco/Exception.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include "json/JsonText.h"
#include "webhooks/WebhookPayload.h"

namespace resound::webhooks {
namespace {

void field(std::string& out, std::string_view name, std::string_view value) {
    out += ",\"";
    out += name;
    out += "\":";
    json::appendQuoted(out, value);
}

std::string text(const Poco::JSON::Object& object, const std::string& name) {
    return object.has(name) ? object.getValue<std::string>(name) : std::string();
}

}  // namespace

std::string encodeQueuedEvent(std::string_view appId, const WebhookEvent& event) {
    std::string out = "{\"app_id\":";
    json::appendQuoted(out, appId);
    field(out, "name", eventTypeName(event.kind));
    field(out, "channel", event.channel);
    if (!event.userId.empty()) field(out, "user_id", event.userId);
    if (event.kind == WebhookEvent::Kind::ClientEvent) {
        field(out, "event", event.event);
        field(out, "data_json", event.dataJson);
        field(out, "socket_id", event.socketId);
    }
    if (event.kind == WebhookEvent::Kind::SubscriptionCount) {
        out += ",\"subscription_count\":" + std::to_string(event.subscriptionCount);
    }
    if (!event.id.empty()) field(out, "id", event.id);
    if (event.createdMs != 0) out += ",\"created_ms\":" + std::to_string(event.createdMs);
    out += '}';
    return out;
}

std::optional<QueuedEvent> decodeQueuedEvent(std::string_view json) {
    try {
        Poco::JSON::Parser parser;
        const Poco::Dynamic::Var parsed = parser.parse(std::string(json));
        const auto object = parsed.extract<Poco::JSON::Object::Ptr>();
        if (!object) return std::nullopt;
        const auto kind = eventKindFromName(text(*object, "name"));
        QueuedEvent queued;
        queued.appId = text(*object, "app_id");
        queued.event.channel = text(*object, "channel");
        if (!kind || queued.appId.empty() || queued.event.channel.empty()) return std::nullopt;
        queued.event.kind = *kind;
        queued.event.userId = text(*object, "user_id");
        queued.event.event = text(*object, "event");
        queued.event.dataJson = text(*object, "data_json");
        queued.event.socketId = text(*object, "socket_id");
        queued.event.id = text(*object, "id");
        if (object->has("created_ms")) queued.event.createdMs = object->getValue<Poco::Int64>("created_ms");
        if (object->has("subscription_count")) {
            const auto count = object->getValue<Poco::Int64>("subscription_count");
            if (count < 0) return std::nullopt;
            queued.event.subscriptionCount = static_cast<std::size_t>(count);
        }
        return queued;
    } catch (const Poco::Exception&) {
        return std::nullopt;
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

}  // namespace resound::webhooks
