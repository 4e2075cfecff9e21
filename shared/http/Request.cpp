#include "http/Request.h"

namespace resound::http {
namespace {

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (lower(a[i]) != lower(b[i])) return false;
    }
    return true;
}

std::string_view trimOws(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

bool listHasToken(std::string_view list, std::string_view token) {
    while (!list.empty()) {
        const std::size_t comma = list.find(',');
        const std::string_view item = trimOws(list.substr(0, comma));
        if (equalsIgnoreCase(item, token)) return true;
        if (comma == std::string_view::npos) break;
        list.remove_prefix(comma + 1);
    }
    return false;
}

}  // namespace

const std::string* Request::header(std::string_view lowerName) const {
    for (const auto& [name, value] : headers) {
        if (name == lowerName) return &value;
    }
    return nullptr;
}

bool Request::headerHasToken(std::string_view lowerName, std::string_view token) const {
    for (const auto& [name, value] : headers) {
        if (name == lowerName && listHasToken(value, token)) return true;
    }
    return false;
}

bool Request::keepAlive() const {
    if (versionMinor >= 1) return !headerHasToken("connection", "close");
    return headerHasToken("connection", "keep-alive");
}

bool Request::isWebSocketUpgrade() const {
    return versionMinor >= 1 && headerHasToken("upgrade", "websocket") &&
           headerHasToken("connection", "upgrade");
}

}  // namespace resound::http
