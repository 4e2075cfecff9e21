#include "pusher/ClientMessage.h"

#include <string>

#include "json/JsonReader.h"
#include "json/JsonText.h"
#include "json/JsonValue.h"

namespace resound::pusher {

// Client messages are read with json::readJson, the strict reader the HTTP API's bodies use (one
// JSON reader for everything a client sends; Poco::JSON cost several times more per message).
namespace {

std::string toJson(const json::JsonValue& value) {
    std::string out;
    json::appendCompact(out, value);
    return out;
}

std::string stringField(const json::JsonValue* object, std::string_view name) {
    if (object == nullptr || !object->isObject()) return {};
    const json::JsonValue* value = object->find(name);
    return value != nullptr && value->isString() ? value->text : std::string{};
}

// "Invalid JSON: <what> at byte <n>": the reader's messages are static ASCII and never quote the
// input, so the error is valid UTF-8 whatever was sent.
std::string describe(const json::JsonError& error) {
    return std::string("Invalid JSON: ") + error.message + " at byte " + std::to_string(error.offset);
}

}  // namespace

ParseResult parseClientMessage(std::string_view text) {
    ParseResult result;
    json::JsonReadResult parsed = json::readJson(text);
    if (!parsed.ok()) {
        result.error = describe(*parsed.error);
        return result;
    }
    const json::JsonValue& root = parsed.value;
    if (!root.isObject()) {
        result.error = "Message must be a JSON object";
        return result;
    }
    ClientMessage message;
    message.event = stringField(&root, "event");
    if (message.event.empty()) {
        result.error = "Message has no \"event\" string";
        return result;
    }
    message.channel = stringField(&root, "channel");
    if (const json::JsonValue* data = root.find("data")) {
        message.dataJson = toJson(*data);
        const json::JsonValue* object = data->isObject() ? data : nullptr;
        json::JsonReadResult inner;
        if (data->isString()) {
            // Some client libraries send data as a string holding a JSON object. A plain string payload
            // is fine for client events; it simply has no fields.
            inner = json::readJson(data->text);
            if (inner.ok() && inner.value.isObject()) object = &inner.value;
        }
        message.dataChannel = stringField(object, "channel");
        message.auth = stringField(object, "auth");
        message.channelData = stringField(object, "channel_data");
        message.userData = stringField(object, "user_data");
    }
    result.message = std::move(message);
    return result;
}

std::optional<PresenceData> parsePresenceData(std::string_view channelData, std::string& error) {
    const json::JsonReadResult parsed = json::readJson(channelData);
    if (!parsed.ok() || !parsed.value.isObject()) {
        error = "channel_data must be a JSON object";
        return std::nullopt;
    }
    const json::JsonValue* id = parsed.value.find("user_id");
    if (id == nullptr) {
        error = "channel_data has no user_id";
        return std::nullopt;
    }
    PresenceData data;
    if (id->isString()) {
        data.userKey = id->text;
        data.idJson = json::quoted(data.userKey);
    } else if (id->kind == json::JsonKind::Number) {
        data.userKey = id->text;  // as written: 42 stays 42
        data.idJson = data.userKey;
    } else {
        error = "user_id must be a string or a number";
        return std::nullopt;
    }
    if (data.userKey.empty() || data.userKey.size() > 128) {
        error = "user_id must be 1 to 128 characters";
        return std::nullopt;
    }
    const json::JsonValue* info = parsed.value.find("user_info");
    data.infoJson = info != nullptr ? toJson(*info) : "null";
    return data;
}

std::optional<std::string> parseSigninUserId(std::string_view userData, std::string& error) {
    const json::JsonReadResult parsed = json::readJson(userData);
    if (!parsed.ok() || !parsed.value.isObject()) {
        error = "user_data must be a JSON object";
        return std::nullopt;
    }
    std::string id = stringField(&parsed.value, "id");
    if (id.empty()) {
        error = "user_data must contain a non-empty string id";
        return std::nullopt;
    }
    return id;
}

}  // namespace resound::pusher
