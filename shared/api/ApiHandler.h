#pragma once
// The Pusher HTTP API, socket-free: takes a parsed request whose path is already canonical
// ("/apps/{id}/...", proxy prefix stripped by the caller) and returns the response to send.
// Order of checks: unknown path 404 -> wrong method 405 (Allow) -> unknown app 404 -> signature 401
// -> the endpoint's own validation (400/413) -> publish (503 if the bus refuses) -> 200 + JSON.
// Publishes and cluster-state reads either happen at once (bus, ClusterState), or (the overload
// taking a LoopBackend) go to the calling loop's backend, which answers later: the handler stays free of
// sockets either way.
// Every error body is {"error":"<message>","code":<status>}.
// handle() is const and may be called from any thread at the same time (ClusterState and Bus are
// thread-safe); the handler itself holds only references and the clock.
#include <cstdint>
#include <functional>
#include <string_view>

#include "api/ApiResponse.h"
#include "api/LoopBackend.h"
#include "apps/AppRegistry.h"
#include "bus/Bus.h"
#include "config/Config.h"
#include "dashboard/DebugTap.h"
#include "http/QueryString.h"
#include "http/Request.h"
#include "state/ClusterState.h"

namespace resound::api {

class ApiHandler {
  public:
    using UnixClock = std::function<std::int64_t()>;  // current unix time in seconds

    static std::int64_t systemUnixSeconds();

    ApiHandler(const apps::AppRegistry& apps, state::ClusterState& state, bus::Bus& bus,
               const config::ServerConfig& server, UnixClock clock = systemUnixSeconds);

    // Where publishes are reported to the debug console (null: nowhere). Set before serving.
    void setDebugTap(dashboard::DebugTap* tap) { debugTap_ = tap; }

    // Parses request.query itself.
    ApiResponse handle(const http::Request& request, std::string_view canonicalPath) const;
    // With the query already decoded (http::parseQuery(request.query)).
    ApiResponse handle(const http::Request& request, std::string_view canonicalPath,
                       const http::QueryParams& query) const;

    // Events, batch_events and terminate_connections publish through `backend` (owned by the calling
    // loop), and the GET endpoints read through `backend.reads()` when it has them: for a valid request
    // this returns nullopt and `complete` receives the answer later, once, on that loop (not if the
    // backend is destroyed first). Every refusal, and a read without `reads()`, is answered at once.
    std::optional<ApiResponse> handle(const http::Request& request, std::string_view canonicalPath,
                                      const http::QueryParams& query, LoopBackend& backend,
                                      ApiCompletion complete) const;

  private:
    std::optional<ApiResponse> guarded(const http::Request& request, std::string_view canonicalPath,
                                       const http::QueryParams& query, LoopBackend* backend,
                                       const ApiCompletion* complete) const;
    std::optional<ApiResponse> dispatch(const http::Request& request, std::string_view canonicalPath,
                                        const http::QueryParams& query, LoopBackend* backend,
                                        const ApiCompletion* complete) const;

    const apps::AppRegistry& apps_;
    state::ClusterState& state_;
    bus::Bus& bus_;
    const config::ServerConfig& server_;
    UnixClock clock_;
    dashboard::DebugTap* debugTap_ = nullptr;
};

}  // namespace resound::api
