#include "api/ApiRouter.h"

#include <array>

namespace resound::api {
namespace {

// Splits "a/b/c" into at most N non-empty segments; false if there are more or any is empty.
template <std::size_t N>
bool splitSegments(std::string_view path, std::array<std::string_view, N>& out, std::size_t& count) {
    count = 0;
    while (true) {
        const std::size_t slash = path.find('/');
        const std::string_view segment = path.substr(0, slash);
        if (segment.empty() || count == N) return false;
        out[count++] = segment;
        if (slash == std::string_view::npos) return true;
        path.remove_prefix(slash + 1);
    }
}

}  // namespace

std::optional<Route> matchRoute(std::string_view path) {
    constexpr std::string_view kApps = "/apps/";
    if (!path.starts_with(kApps)) return std::nullopt;
    std::array<std::string_view, 4> s{};
    std::size_t n = 0;
    if (!splitSegments(path.substr(kApps.size()), s, n) || n < 2) return std::nullopt;

    const std::string_view appId = s[0];
    if (n == 2 && s[1] == "events") return Route{Endpoint::Events, appId, {}, "POST"};
    if (n == 2 && s[1] == "batch_events") return Route{Endpoint::BatchEvents, appId, {}, "POST"};
    if (n == 2 && s[1] == "channels") return Route{Endpoint::Channels, appId, {}, "GET"};
    if (n == 2 && s[1] == "connections") return Route{Endpoint::Connections, appId, {}, "GET"};
    if (n == 3 && s[1] == "channels") return Route{Endpoint::Channel, appId, s[2], "GET"};
    if (n == 4 && s[1] == "channels" && s[3] == "users")
        return Route{Endpoint::ChannelUsers, appId, s[2], "GET"};
    if (n == 4 && s[1] == "users" && s[3] == "terminate_connections") {
        return Route{Endpoint::TerminateUserConnections, appId, s[2], "POST"};
    }
    return std::nullopt;
}

}  // namespace resound::api
