#include "http/ErrorBody.h"

#include <charconv>

#include "json/JsonText.h"

namespace resound::http {

std::string_view defaultErrorReason(int status) {
    switch (status) {
        case 400:
            return "bad_request";
        case 401:
            return "unauthorized";
        case 403:
            return "forbidden";
        case 404:
            return "not_found";
        case 405:
            return "method_not_allowed";
        case 408:
            return "request_timeout";
        case 411:
            return "length_required";
        case 413:
            return "payload_too_large";
        case 415:
            return "unsupported_media_type";
        case 426:
            return "upgrade_required";
        case 429:
            return "too_many_requests";
        case 431:
            return "headers_too_large";
        case 500:
            return "internal_error";
        case 501:
            return "not_implemented";
        case 503:
            return "unavailable";
        case 505:
            return "http_version_not_supported";
        default:
            return "error";
    }
}

std::string errorBody(int status, std::string_view message, std::string_view reason) {
    if (reason.empty()) reason = defaultErrorReason(status);
    std::string body;
    body.reserve(message.size() + reason.size() + 40);
    body += "{\"error\":";
    json::appendQuoted(body, message);
    char number[16];
    const char* end = std::to_chars(number, number + sizeof number, status).ptr;
    body += ",\"code\":";
    body.append(number, static_cast<std::size_t>(end - number));
    body += ",\"reason\":";
    json::appendQuoted(body, reason);
    body += '}';
    return body;
}

std::string requestRefusalBody(int status, std::string_view message) {
    return errorBody(status, message, status == 413 ? kBodyTooLarge : std::string_view{});
}

}  // namespace resound::http
