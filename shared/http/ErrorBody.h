#pragma once
// The one body of every JSON error answer any Resound service sends (HTTP API, edge refusals,
// resound-auth, the monitor, the dashboard, /ready):
//   {"error":"<message for people>","code":<HTTP status>,"reason":"<stable word for programs>"}
// `error` + `code` is the shape Pusher-API clients already know (soketi's; Laravel shows `error`);
// `reason` lets a program branch without parsing English. Pure functions, any thread.
#include <string>
#include <string_view>

namespace resound::http {

// A word for the status when the caller has none more precise: 400 bad_request, 401 unauthorized,
// 403 forbidden, 404 not_found, 405 method_not_allowed, 413 payload_too_large, 429 too_many_requests,
// 503 unavailable, 505 http_version_not_supported, ...; "error" for a status with no word of its own.
std::string_view defaultErrorReason(int status);

// `reason` empty: defaultErrorReason(status).
std::string errorBody(int status, std::string_view message, std::string_view reason = {});

// The reason of a request larger than the server's own request size limit (max_request_size), told
// apart from `payload_too_large` (an event's data over its app's max_event_payload_bytes) so that a
// program, the dashboard among them, knows which limit to raise.
inline constexpr std::string_view kBodyTooLarge = "body_too_large";

// The body of every refusal of the HTTP request parser (RequestParser), whichever service's server
// read the request: defaultErrorReason's word, except kBodyTooLarge for 413.
std::string requestRefusalBody(int status, std::string_view message);

}  // namespace resound::http
