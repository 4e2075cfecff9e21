#pragma once
// Reading HTTP API request bodies with json::readJson: parsing to an object (depth limit 64), and
// looking up members without copying them. Bad input becomes a 400 ApiResponse, never an exception.
// Any thread.
#include <optional>
#include <string>
#include <string_view>

#include "api/ApiResponse.h"
#include "json/JsonValue.h"

namespace resound::api {

// Parses `body` as a JSON object (member order preserved for re-serialisation). On failure returns
// the 400 response to send.
std::optional<ApiResponse> parseJsonObject(std::string_view body, json::JsonValue& out);

// The member `key` of `object`, or nullptr when it is absent or JSON null.
const json::JsonValue* jsonMember(const json::JsonValue& object, std::string_view key);

// Compact JSON text of any value (used when a client sends non-string event data).
std::string jsonText(const json::JsonValue& value);

}  // namespace resound::api
