#include "auth/OriginPolicy.h"

#include <algorithm>
#include <cctype>

namespace resound::auth {
namespace {

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
           });
}

bool hostMatches(std::string_view pattern, std::string_view host) {
    if (pattern == "*" || equalsIgnoreCase(pattern, host)) return true;
    if (pattern.size() > 2 && pattern.substr(0, 2) == "*.") {
        const std::string_view suffix = pattern.substr(1);  // ".example.com"
        return host.size() > suffix.size() && equalsIgnoreCase(host.substr(host.size() - suffix.size()), suffix);
    }
    return false;
}

}  // namespace

std::string_view originHost(std::string_view origin) {
    const std::size_t scheme = origin.find("://");
    if (scheme == std::string_view::npos || scheme == 0) return {};
    std::string_view rest = origin.substr(scheme + 3);
    if (!rest.empty() && rest.front() == '[') {  // IPv6 literal
        const std::size_t close = rest.find(']');
        return close == std::string_view::npos ? std::string_view{} : rest.substr(0, close + 1);
    }
    return rest.substr(0, std::min(rest.find(':'), rest.find('/')));
}

bool originAllowed(std::span<const std::string> allowedOrigins, std::string_view origin) {
    if (std::find(allowedOrigins.begin(), allowedOrigins.end(), "*") != allowedOrigins.end()) return true;
    const std::string_view host = originHost(origin);
    if (host.empty()) return false;
    return std::any_of(allowedOrigins.begin(), allowedOrigins.end(),
                       [&](const std::string& pattern) { return hostMatches(pattern, host); });
}

}  // namespace resound::auth
