#include "api/JsonBody.h"

#include <Poco/Exception.h>
#include <Poco/JSON/ParseHandler.h>
#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>

#include <sstream>

namespace resound::api {
namespace {

// Deep enough for any real event payload; stops "[[[[..." bodies from recursing through the stack.
constexpr std::size_t kMaxJsonDepth = 64;

}  // namespace

std::optional<ApiResponse> parseJsonObject(const std::string& body, Poco::JSON::Object::Ptr& out) {
    Poco::Dynamic::Var root;
    try {
        Poco::JSON::Parser parser(new Poco::JSON::ParseHandler(true));
        parser.setDepth(kMaxJsonDepth);
        root = parser.parse(body);
    } catch (const Poco::Exception&) {
        // Poco's messages quote raw bytes of the input; a fixed message is safer to echo back.
        return errorResponse(400,
                             "Request body is not valid JSON: send a JSON object with Content-Type "
                             "application/json");
    } catch (const std::exception&) {
        return errorResponse(400, "Request body is not valid JSON");
    }
    if (root.type() != typeid(Poco::JSON::Object::Ptr)) {
        return errorResponse(
            400, "Request body must be a JSON object, e.g. {\"name\":...,\"channels\":[...],\"data\":...}");
    }
    out = root.extract<Poco::JSON::Object::Ptr>();
    return std::nullopt;
}

const Poco::Dynamic::Var* jsonMember(const Poco::JSON::Object& object, std::string_view key) {
    for (auto it = object.begin(); it != object.end(); ++it) {
        if (it->first == key) return it->second.isEmpty() ? nullptr : &it->second;
    }
    return nullptr;
}

std::string jsonText(const Poco::Dynamic::Var& value) {
    std::ostringstream out;
    Poco::JSON::Stringifier::condense(value, out);
    return std::move(out).str();
}

}  // namespace resound::api
