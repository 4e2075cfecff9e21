#include "api/ApiResponse.h"

#include <charconv>

#include "json/JsonText.h"

namespace resound::api {

ApiResponse okResponse(std::string body) {
    ApiResponse response;
    response.status = 200;
    response.body = std::move(body);
    return response;
}

ApiResponse errorResponse(int status, std::string_view message) {
    ApiResponse response;
    response.status = status;
    response.body.reserve(message.size() + 32);
    response.body.append("{\"error\":");
    json::appendQuoted(response.body, message);
    char number[16];
    const char* end = std::to_chars(number, number + sizeof number, status).ptr;
    response.body.append(",\"code\":").append(number, static_cast<std::size_t>(end - number)).append("}");
    return response;
}

ApiResponse internalErrorResponse() {
    return errorResponse(500, "Internal server error: the request could not be completed, retry later");
}

}  // namespace resound::api
