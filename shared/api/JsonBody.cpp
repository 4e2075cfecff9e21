#include "api/JsonBody.h"

#include <utility>

#include "json/JsonReader.h"

namespace resound::api {

std::optional<ApiResponse> parseJsonObject(std::string_view body, json::JsonValue& out) {
    json::JsonReadResult parsed = json::readJson(body);
    // A scalar at the top level gets the "not valid JSON" answer, as it did with Poco::JSON (which
    // rejected it): the hint to send an object is the useful part either way.
    if (!parsed.ok() || !(parsed.value.isObject() || parsed.value.isArray())) {
        // The reader's message is not echoed: a fixed message keeps the error body stable.
        return errorResponse(400,
                             "Request body is not valid JSON: send a JSON object with Content-Type "
                             "application/json");
    }
    if (!parsed.value.isObject()) {
        return errorResponse(
            400, "Request body must be a JSON object, e.g. {\"name\":...,\"channels\":[...],\"data\":...}");
    }
    out = std::move(parsed.value);
    return std::nullopt;
}

const json::JsonValue* jsonMember(const json::JsonValue& object, std::string_view key) {
    const json::JsonValue* member = object.find(key);
    return member == nullptr || member->isNull() ? nullptr : member;
}

std::string jsonText(const json::JsonValue& value) {
    std::string out;
    json::appendCompact(out, value);
    return out;
}

}  // namespace resound::api
