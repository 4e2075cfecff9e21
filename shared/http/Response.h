#pragma once
// Serialising an HTTP/1.1 response (status line, headers, body) into one buffer ready to write.
// Pure functions, any thread.
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace resound::http {

// "OK", "Not Found", ...; "Unknown" for codes we never send.
std::string_view reasonPhrase(int status);

// "HTTP/1.1 <status> <reason>", Content-Type (omitted when contentType is empty), Content-Length,
// "Connection: keep-alive" or "Connection: close", then extraHeaders in order, then the body.
// extraHeaders must not repeat Content-Length or Connection.
std::string buildResponse(int status, std::string_view contentType, std::string_view body, bool keepAlive,
                          const std::vector<std::pair<std::string, std::string>>& extraHeaders = {});

}  // namespace resound::http
