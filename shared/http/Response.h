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

// The head of a response whose body follows as it is produced (Server-Sent Events): like buildResponse
// without Content-Length, with "Transfer-Encoding: chunked" when `chunked` (HTTP/1.1 clients; without
// it the body ends when the connection closes, so keepAlive must be false).
std::string buildStreamHead(int status, std::string_view contentType, bool chunked, bool keepAlive,
                            const std::vector<std::pair<std::string, std::string>>& extraHeaders = {});
// One chunk of a chunked body: "<hex size>\r\n<data>\r\n". Empty data gives the final chunk "0\r\n\r\n".
std::string encodeChunk(std::string_view data);

}  // namespace resound::http
