#include "redis/PresenceInfo.h"

#include "json/JsonText.h"

namespace resound::redis {
namespace {

constexpr std::string_view kIdPrefix = "{\"id\":";
constexpr std::string_view kInfoSeparator = ",\"info\":";

// Length of the JSON value starting at `text` (string, number, literal, object or array), or 0 if it
// is cut short. Only structure is checked: the value was validated when the client sent it.
std::size_t jsonValueLength(std::string_view text) {
    std::size_t depth = 0;
    bool inString = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (inString) {
            if (c == '\\') {
                ++i;
            } else if (c == '"') {
                inString = false;
                if (depth == 0) return i + 1;
            }
            continue;
        }
        switch (c) {
            case '"':
                inString = true;
                break;
            case '{':
            case '[':
                ++depth;
                break;
            case '}':
            case ']':
                if (depth == 0) return i;  // closes the enclosing object: a scalar ended here
                if (--depth == 0) return i + 1;
                break;
            case ',':
                if (depth == 0) return i;
                break;
            default:
                break;
        }
    }
    return 0;
}

}  // namespace

std::string encodePresenceInfo(const state::PresenceMember& member) {
    std::string out;
    const std::string_view info = member.infoJson.empty() ? std::string_view("null") : member.infoJson;
    out.reserve(kIdPrefix.size() + member.idJson.size() + kInfoSeparator.size() + info.size() + 1);
    out.append(kIdPrefix);
    out.append(member.idJson);
    out.append(kInfoSeparator);
    out.append(info);
    out += '}';
    return out;
}

std::optional<state::PresenceMember> decodePresenceInfo(std::string_view userKey, std::string_view stored) {
    if (!stored.starts_with(kIdPrefix) || !stored.ends_with('}')) return std::nullopt;
    std::string_view rest = stored.substr(kIdPrefix.size());
    const std::size_t idLength = jsonValueLength(rest);
    if (idLength == 0) return std::nullopt;
    state::PresenceMember member;
    member.userKey = std::string(userKey);
    member.idJson = std::string(rest.substr(0, idLength));
    rest.remove_prefix(idLength);
    if (!rest.starts_with(kInfoSeparator)) return std::nullopt;
    rest.remove_prefix(kInfoSeparator.size());
    rest.remove_suffix(1);  // the closing brace
    if (rest.empty()) return std::nullopt;
    member.infoJson = std::string(rest);
    return member;
}

state::PresenceMember presenceMemberOf(std::string_view userKey, std::string_view stored) {
    if (auto member = decodePresenceInfo(userKey, stored)) return std::move(*member);
    return state::PresenceMember{std::string(userKey), json::quoted(userKey), "null"};
}

}  // namespace resound::redis
