#include "pusher/ClientMessage.h"

#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>
#include <Poco/JSONString.h>

#include <sstream>

#include "json/JsonText.h"
#include "json/Utf8Repair.h"

namespace resound::pusher {

namespace {

Poco::Dynamic::Var parseJson(std::string_view text) {
    Poco::JSON::Parser parser(new Poco::JSON::ParseHandler(true));
    return parser.parse(std::string(text));
}

std::string toJson(const Poco::Dynamic::Var& value) {
    if (value.isString()) return json::quoted(value.extract<std::string>());
    std::ostringstream out;
    Poco::JSON::Stringifier::condense(value, out);
    return out.str();
}

std::string stringField(const Poco::JSON::Object::Ptr& object, const std::string& name) {
    if (!object || !object->has(name)) return {};
    auto value = object->get(name);
    return value.isString() ? value.extract<std::string>() : std::string{};
}

Poco::JSON::Object::Ptr asObject(const Poco::Dynamic::Var& value) {
    if (value.type() == typeid(Poco::JSON::Object::Ptr)) return value.extract<Poco::JSON::Object::Ptr>();
    return nullptr;
}

}  // namespace

ParseResult parseClientMessage(std::string_view text) {
    ParseResult result;
    Poco::JSON::Object::Ptr root;
    try {
        root = asObject(parseJson(text));
    } catch (const Poco::Exception& e) {
        result.error = json::repairedUtf8("Invalid JSON: " + e.message());
        return result;
    } catch (const std::exception& e) {
        result.error = json::repairedUtf8(std::string("Invalid JSON: ") + e.what());
        return result;
    }
    if (!root) {
        result.error = "Message must be a JSON object";
        return result;
    }
    ClientMessage message;
    message.event = stringField(root, "event");
    if (message.event.empty()) {
        result.error = "Message has no \"event\" string";
        return result;
    }
    message.channel = stringField(root, "channel");
    if (root->has("data")) {
        auto data = root->get("data");
        message.dataJson = toJson(data);
        auto object = asObject(data);
        if (!object && data.isString()) {
            try {
                object = asObject(parseJson(data.extract<std::string>()));
            } catch (const std::exception&) {
                // A plain string payload is fine for client events; it simply has no fields.
            }
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
    Poco::JSON::Object::Ptr object;
    try {
        object = asObject(parseJson(channelData));
    } catch (const std::exception&) {
    }
    if (!object) {
        error = "channel_data must be a JSON object";
        return std::nullopt;
    }
    if (!object->has("user_id")) {
        error = "channel_data has no user_id";
        return std::nullopt;
    }
    auto id = object->get("user_id");
    PresenceData data;
    if (id.isString()) {
        data.userKey = id.extract<std::string>();
        data.idJson = json::quoted(data.userKey);
    } else if (id.isInteger() || id.isNumeric()) {
        data.userKey = id.convert<std::string>();
        data.idJson = data.userKey;
    } else {
        error = "user_id must be a string or a number";
        return std::nullopt;
    }
    if (data.userKey.empty() || data.userKey.size() > 128) {
        error = "user_id must be 1 to 128 characters";
        return std::nullopt;
    }
    data.infoJson = object->has("user_info") ? toJson(object->get("user_info")) : "null";
    return data;
}

std::optional<std::string> parseSigninUserId(std::string_view userData, std::string& error) {
    Poco::JSON::Object::Ptr object;
    try {
        object = asObject(parseJson(userData));
    } catch (const std::exception&) {
    }
    if (!object) {
        error = "user_data must be a JSON object";
        return std::nullopt;
    }
    std::string id = stringField(object, "id");
    if (id.empty()) {
        error = "user_data must contain a non-empty string id";
        return std::nullopt;
    }
    return id;
}

}  // namespace resound::pusher
