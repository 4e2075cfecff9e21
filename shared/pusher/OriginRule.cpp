#include "pusher/OriginRule.h"

#include <algorithm>

namespace resound::pusher {
namespace {

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
    return a.size() == b.size() &&
           std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return lower(x) == lower(y); });
}

std::string_view withoutBrackets(std::string_view host) {
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') return host.substr(1, host.size() - 2);
    return host;
}

}  // namespace

std::string_view originHost(std::string_view origin) {
    const std::size_t scheme = origin.find("://");
    if (scheme == std::string_view::npos || scheme == 0) return {};
    std::string_view authority = origin.substr(scheme + 3);
    authority = authority.substr(0, authority.find_first_of("/?#"));
    if (!authority.empty() && authority.front() == '[') {  // IPv6 literal, maybe followed by ":port"
        const std::size_t close = authority.find(']');
        if (close == std::string_view::npos) return {};
        const std::string_view after = authority.substr(close + 1);
        if (!after.empty() && after.front() != ':') return {};
        return authority.substr(1, close - 1);
    }
    return authority.substr(0, authority.find(':'));
}

bool originEntryMatches(std::string_view entry, std::string_view host) {
    if (entry == "*") return true;
    if (host.empty()) return false;
    if (entry.size() > 2 && entry.substr(0, 2) == "*.") {
        const std::string_view suffix = entry.substr(1);  // ".example.com"
        return host.size() > suffix.size() &&
               equalsIgnoreCase(host.substr(host.size() - suffix.size()), suffix);
    }
    return equalsIgnoreCase(withoutBrackets(entry), host);
}

bool originAllowed(std::span<const std::string> allowedOrigins, std::string_view origin) {
    const std::string_view host = originHost(origin);
    return std::any_of(allowedOrigins.begin(), allowedOrigins.end(),
                       [&](const std::string& entry) { return originEntryMatches(entry, host); });
}

}  // namespace resound::pusher
