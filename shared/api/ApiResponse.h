#pragma once
// What an HTTP API endpoint answers: a status, a JSON body and extra headers (e.g. Allow). A value.
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace resound::api {

struct ApiResponse {
    int status = 200;
    std::string body;                                          // always JSON
    std::vector<std::pair<std::string, std::string>> headers;  // extra headers only (e.g. Allow)
    std::string_view contentType = "application/json";
};

// Receives a response that was not ready when the handler returned (see LoopBackend).
using ApiCompletion = std::function<void(ApiResponse)>;

// 200 with a JSON body.
ApiResponse okResponse(std::string body);

// The error format of every non-2xx answer (soketi style): {"error":"<message>","code":<status>}.
// Laravel shows the body verbatim as "Pusher error: ...", so messages say how to fix the request.
// `reason`: the body's stable word; empty = http::defaultErrorReason(status).
ApiResponse errorResponse(int status, std::string_view message, std::string_view reason = {});

// 503 for a read of the cluster's state that could not be had (state::StateUnavailable, or a loop's
// ClusterReads answering nullopt): the same answer either way.
ApiResponse stateUnavailableResponse();

// 503 for a message the bus refused (at once, or as a loop's backend reported it): "The `what` could
// not be handed to the message bus (is Redis reachable?)[; `consequence`]: retry".
ApiResponse busRefusedResponse(std::string_view what, std::string_view consequence = {});

// 500 for a request the server failed to complete (a bug or a failing backend; the caller logs why).
ApiResponse internalErrorResponse();

// The boundary of an answer built on the loop after the handler returned (an awaited publish or
// read), as ApiHandler's is for answers given at once: `build`'s answer, or a logged 500 if it threw.
// The caller hands the result to its completion once.
ApiResponse answerBuiltSafely(std::string_view what, const std::function<ApiResponse()>& build);

}  // namespace resound::api
