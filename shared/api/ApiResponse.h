#pragma once
// What an HTTP API endpoint answers: a status, a JSON body and extra headers (e.g. Allow). A value.
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

// 200 with a JSON body.
ApiResponse okResponse(std::string body);

// The error format of every non-2xx answer (soketi style): {"error":"<message>","code":<status>}.
// Laravel shows the body verbatim as "Pusher error: ...", so messages say how to fix the request.
ApiResponse errorResponse(int status, std::string_view message);

}  // namespace resound::api
