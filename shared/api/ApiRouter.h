#pragma once
// Maps a canonical HTTP API path ("/apps/{id}/...") to an endpoint and its path parameters. Pure.
#include <optional>
#include <string_view>

namespace resound::api {

enum class Endpoint {
    Events,
    BatchEvents,
    Channels,
    Channel,
    ChannelUsers,
    TerminateUserConnections,
    Connections
};

struct Route {
    Endpoint endpoint;
    std::string_view appId;     // raw path segment
    std::string_view argument;  // raw channel name or user id segment, empty if none
    std::string_view method;    // the one method the endpoint accepts ("GET" or "POST")
};

// nullopt for any path that is not one of the API endpoints (including empty segments and a
// trailing slash).
std::optional<Route> matchRoute(std::string_view path);

}  // namespace resound::api
