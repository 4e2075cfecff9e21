#pragma once
// Everything one HTTP API endpoint needs for one request, after routing, app lookup and the
// signature check. Lives on the stack of ApiHandler::handle, on the calling thread.
#include <optional>
#include <string>
#include <string_view>

#include "api/ApiResponse.h"
#include "api/LoopBackend.h"
#include "bus/Bus.h"
#include "config/Config.h"
#include "dashboard/DebugTap.h"
#include "http/QueryString.h"
#include "http/Request.h"
#include "state/ClusterReads.h"
#include "state/ClusterState.h"

namespace resound::api {

struct ApiContext {
    const config::AppConfig& app;
    state::ClusterState& state;
    bus::Bus& bus;
    const http::Request& request;
    const http::QueryParams& query;
    dashboard::DebugTap* debugTap = nullptr;  // optional: the debug console's ApiEvent rows
    // Optional: event publishes go to `backend` instead of `bus`, and their answer to `complete`.
    LoopBackend* backend = nullptr;
    const ApiCompletion* complete = nullptr;
    // Optional, with `complete`: the GET endpoints read the cluster's state through these (the loop's
    // own Redis connection) and answer later, instead of reading `state` on the loop.
    state::ClusterReads* reads = nullptr;

    // First query parameter with this name, or nullptr.
    const std::string* param(std::string_view name) const {
        for (const auto& [key, value] : query) {
            if (key == name) return &value;
        }
        return nullptr;
    }
};

}  // namespace resound::api
