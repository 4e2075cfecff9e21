#include <string>
#include <string_view>

#include "config/Config.h"

namespace resound::config {

std::string unixSocketPathOf(std::string_view host) {
    constexpr std::string_view kScheme = "unix://";
    if (host.starts_with('/')) return std::string(host);
    if (host.starts_with(kScheme) && host.size() > kScheme.size() && host[kScheme.size()] == '/')
        return std::string(host.substr(kScheme.size()));
    return {};
}

std::string describeRedisAddress(std::string_view host, std::uint16_t port, int db) {
    const std::string path = unixSocketPathOf(host);
    if (!path.empty()) return "unix://" + path + "?db=" + std::to_string(db);
    return "redis://" + hostPort(host, port) + "/" + std::to_string(db);
}

}  // namespace resound::config
