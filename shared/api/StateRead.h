#pragma once
// How a GET endpoint reads the cluster's state and answers: through the loop's ClusterReads when the
// request came with them (the bundle: the read rides the loop's Redis connection, the answer goes to
// `complete` later, and the loop never waits), else synchronously from ClusterState (the embedded
// server; a StateUnavailable reaches ApiHandler's boundary). Either way an unreadable state is the one
// 503 of stateUnavailableResponse(), and `render` builds the same answer from the same value.
#include <spdlog/spdlog.h>

#include <optional>
#include <utility>

#include "api/ApiContext.h"
#include "api/ApiResponse.h"

namespace resound::api {

// `now(ClusterState&) -> T`, `later(ClusterReads&, ClusterReads::Done<T>)`, `render(T) -> ApiResponse`.
// `render` must own what it captures: it may run after the request's context is gone.
template <typename T, typename Now, typename Later, typename Render>
std::optional<ApiResponse> readStateThen(const ApiContext& context, Now now, Later later, Render render) {
    if (context.reads == nullptr || context.complete == nullptr) return render(now(context.state));
    later(*context.reads, [complete = *context.complete, render = std::move(render),
                           path = context.request.path](std::optional<T> value) {
        if (!value) {
            spdlog::warn("http api: GET {}: the cluster's state could not be read", path);
            complete(stateUnavailableResponse());
            return;
        }
        complete(answerBuiltSafely("GET " + path, [&] { return render(std::move(*value)); }));
    });
    return std::nullopt;
}

}  // namespace resound::api
