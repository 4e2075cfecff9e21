#include "json/JsonValue.h"

#include "json/JsonText.h"

namespace resound::json {

const JsonValue* JsonValue::find(std::string_view key) const {
    for (const JsonMember& member : members) {
        if (member.key == key) return &member.value;
    }
    return nullptr;
}

void appendCompact(std::string& out, const JsonValue& value) {
    switch (value.kind) {
        case JsonKind::Null:
            out.append("null");
            return;
        case JsonKind::Bool:
            out.append(value.boolean ? "true" : "false");
            return;
        case JsonKind::Number:
            out.append(value.text);
            return;
        case JsonKind::String:
            appendQuoted(out, value.text);
            return;
        case JsonKind::Array:
            out.push_back('[');
            for (std::size_t i = 0; i < value.items.size(); ++i) {
                if (i > 0) out.push_back(',');
                appendCompact(out, value.items[i]);
            }
            out.push_back(']');
            return;
        case JsonKind::Object:
            out.push_back('{');
            for (std::size_t i = 0; i < value.members.size(); ++i) {
                if (i > 0) out.push_back(',');
                appendQuoted(out, value.members[i].key);
                out.push_back(':');
                appendCompact(out, value.members[i].value);
            }
            out.push_back('}');
            return;
    }
}

}  // namespace resound::json
