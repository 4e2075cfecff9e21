#pragma once
// A parsed JSON value (see JsonReader.h): a compact tree with objects as a vector of (key, value)
// pairs, because request bodies have a handful of members and a linear scan beats a map there.
// A plain value type: any thread, no sharing.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace resound::json {

enum class JsonKind : std::uint8_t { Null, Bool, Number, String, Array, Object };

struct JsonMember;

struct JsonValue {
    JsonKind kind = JsonKind::Null;
    bool boolean = false;
    // String: the decoded UTF-8 text. Number: the literal exactly as written (valid per RFC 8259), so
    // no precision is lost and callers convert only what they need.
    std::string text;
    std::vector<JsonValue> items;     // Array
    std::vector<JsonMember> members;  // Object: keys are unique (the reader keeps the last value)

    bool isNull() const { return kind == JsonKind::Null; }
    bool isString() const { return kind == JsonKind::String; }
    bool isArray() const { return kind == JsonKind::Array; }
    bool isObject() const { return kind == JsonKind::Object; }

    // The member `key` of an object, or nullptr (also when this is not an object).
    const JsonValue* find(std::string_view key) const;
};

struct JsonMember {
    std::string key;
    JsonValue value;
};

// Appends `value` as compact JSON text (no whitespace; members in their order; numbers as written).
void appendCompact(std::string& out, const JsonValue& value);

}  // namespace resound::json
