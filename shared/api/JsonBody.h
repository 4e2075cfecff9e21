#pragma once
// Reading HTTP API request bodies with Poco::JSON: parsing to an object with a depth limit, and
// looking up members without copying them. Bad input becomes a 400 ApiResponse, never an exception.
// Any thread.
#include <Poco/Dynamic/Var.h>
#include <Poco/JSON/Object.h>

#include <optional>
#include <string>
#include <string_view>

#include "api/ApiResponse.h"

namespace resound::api {

// Parses `body` as a JSON object (key order preserved for re-serialisation). On failure returns the
// 400 response to send.
std::optional<ApiResponse> parseJsonObject(const std::string& body, Poco::JSON::Object::Ptr& out);

// The member `key` of `object`, or nullptr when it is absent or JSON null.
const Poco::Dynamic::Var* jsonMember(const Poco::JSON::Object& object, std::string_view key);

// Compact JSON text of any value (used when a client sends non-string event data).
std::string jsonText(const Poco::Dynamic::Var& value);

}  // namespace resound::api
