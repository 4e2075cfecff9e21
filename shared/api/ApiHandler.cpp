#include "api/ApiHandler.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <exception>

#include "api/ApiContext.h"
#include "api/ApiRouter.h"
#include "api/ChannelsEndpoint.h"
#include "api/ConnectionsEndpoint.h"
#include "api/EventsEndpoint.h"
#include "api/RequestSignature.h"
#include "state/ClusterState.h"

namespace resound::api {
namespace {

std::string shortened(std::string_view text) {
    constexpr std::size_t kMax = 80;
    std::string out(text.substr(0, kMax));
    if (text.size() > kMax) out += "...";
    return out;
}

}  // namespace

std::int64_t ApiHandler::systemUnixSeconds() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

ApiHandler::ApiHandler(const apps::AppRegistry& apps, state::ClusterState& state, bus::Bus& bus,
                       const config::ServerConfig& server, UnixClock clock)
    : apps_(apps), state_(state), bus_(bus), server_(server), clock_(std::move(clock)) {}

ApiResponse ApiHandler::handle(const http::Request& request, std::string_view canonicalPath) const {
    return handle(request, canonicalPath, http::parseQuery(request.query));
}

ApiResponse ApiHandler::handle(const http::Request& request, std::string_view canonicalPath,
                               const http::QueryParams& query) const {
    // Without a backend every endpoint answers at once.
    return *guarded(request, canonicalPath, query, nullptr, nullptr);
}

std::optional<ApiResponse> ApiHandler::handle(const http::Request& request, std::string_view canonicalPath,
                                              const http::QueryParams& query, LoopBackend& backend,
                                              ApiCompletion complete) const {
    return guarded(request, canonicalPath, query, &backend, &complete);
}

std::optional<ApiResponse> ApiHandler::guarded(const http::Request& request, std::string_view canonicalPath,
                                               const http::QueryParams& query, LoopBackend* backend,
                                               const ApiCompletion* complete) const {
    // The HTTP boundary: nothing may escape into the event loop. Bad input is answered before this
    // point; what lands here is a bug or a failing backend (e.g. a ClusterState that lost Redis).
    try {
        return dispatch(request, canonicalPath, query, backend, complete);
    } catch (const state::StateUnavailable& e) {
        spdlog::warn("http api: {} {}: {}", request.method, shortened(canonicalPath), e.what());
        return stateUnavailableResponse();
    } catch (const std::exception& e) {
        spdlog::error("http api: {} {} failed: {}", request.method, shortened(canonicalPath), e.what());
    } catch (...) {
        spdlog::error("http api: {} {} failed with an unknown exception", request.method,
                      shortened(canonicalPath));
    }
    return internalErrorResponse();
}

std::optional<ApiResponse> ApiHandler::dispatch(const http::Request& request, std::string_view canonicalPath,
                                                const http::QueryParams& query, LoopBackend* backend,
                                                const ApiCompletion* complete) const {
    const std::optional<Route> route = matchRoute(canonicalPath);
    if (!route) {
        return errorResponse(
            404, "Unknown API path \"" + shortened(canonicalPath) +
                     "\": endpoints are /apps/{app_id}/events, /batch_events, /channels, "
                     "/channels/{name}, /channels/{name}/users, /users/{id}/terminate_connections, "
                     "/connections");
    }
    if (request.method != route->method) {
        ApiResponse response =
            errorResponse(405, "Method " + shortened(request.method) + " is not allowed here: use " +
                                   std::string(route->method));
        response.headers.emplace_back("Allow", std::string(route->method));
        return response;
    }

    const std::string appId = http::percentDecode(route->appId);
    const config::AppConfig* app = apps_.byId(appId);
    if (app == nullptr) {
        return errorResponse(404, "No app with id \"" + shortened(appId) +
                                      "\": check the app id your server SDK is configured with");
    }

    const SignatureCheck signature =
        verifyRequestSignature(request.method, canonicalPath, query, request.body, *app, clock_(),
                               server_.authTimestampWindowSeconds);
    if (!signature) return errorResponse(401, signature.reason);

    const ApiContext context{*app,    state_,   bus_,
                             request, query,    debugTap_,
                             backend, complete, backend != nullptr ? backend->reads() : nullptr};
    switch (route->endpoint) {
        case Endpoint::Events:
            return publishEvents(context);
        case Endpoint::BatchEvents:
            return publishBatchEvents(context);
        case Endpoint::Channels:
            return listChannels(context);
        case Endpoint::Channel:
            return channelInfo(context, http::percentDecode(route->argument));
        case Endpoint::ChannelUsers:
            return channelUsers(context, http::percentDecode(route->argument));
        case Endpoint::TerminateUserConnections:
            return terminateUserConnections(context, http::percentDecode(route->argument));
        case Endpoint::Connections:
            return connectionCount(context);
    }
    return errorResponse(404, "Unknown API path");
}

}  // namespace resound::api
