#include "http/PathPrefix.h"

namespace resound::http {

std::string_view stripPathPrefix(std::string_view path, std::string_view prefix) {
    while (!prefix.empty() && prefix.back() == '/') prefix.remove_suffix(1);
    if (prefix.empty() || path.substr(0, prefix.size()) != prefix) return path;
    if (path.size() != prefix.size() && path[prefix.size()] != '/') return path;
    path.remove_prefix(prefix.size());
    return path.empty() ? std::string_view("/") : path;
}

}  // namespace resound::http
