#include "api/ApiResponse.h"

#include <spdlog/spdlog.h>

#include <exception>

#include "http/ErrorBody.h"
#include "state/ClusterState.h"

namespace resound::api {

ApiResponse okResponse(std::string body) {
    ApiResponse response;
    response.status = 200;
    response.body = std::move(body);
    return response;
}

ApiResponse errorResponse(int status, std::string_view message, std::string_view reason) {
    ApiResponse response;
    response.status = status;
    response.body = http::errorBody(status, message, reason);
    return response;
}

ApiResponse stateUnavailableResponse() {
    return errorResponse(503, "The cluster's channel state could not be read (is Redis reachable?): retry",
                         state::kStateUnavailableReason);
}

ApiResponse busRefusedResponse(std::string_view what, std::string_view consequence) {
    std::string message = "The ";
    message.append(what).append(" could not be handed to the message bus (is Redis reachable?)");
    if (!consequence.empty()) message.append("; ").append(consequence);
    message.append(": retry");
    return errorResponse(503, message);
}

ApiResponse internalErrorResponse() {
    return errorResponse(500, "Internal server error: the request could not be completed, retry later");
}

ApiResponse answerBuiltSafely(std::string_view what, const std::function<ApiResponse()>& build) {
    try {
        return build();
    } catch (const std::exception& e) {
        spdlog::error("http api: answering {} failed: {}", what, e.what());
    } catch (...) {
        spdlog::error("http api: answering {} failed with an unknown exception", what);
    }
    return internalErrorResponse();
}

}  // namespace resound::api
