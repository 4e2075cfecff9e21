#include "http/Response.h"

#include <charconv>

namespace resound::http {

std::string_view reasonPhrase(int status) {
    switch (status) {
        case 100:
            return "Continue";
        case 101:
            return "Switching Protocols";
        case 200:
            return "OK";
        case 201:
            return "Created";
        case 202:
            return "Accepted";
        case 204:
            return "No Content";
        case 301:
            return "Moved Permanently";
        case 302:
            return "Found";
        case 304:
            return "Not Modified";
        case 400:
            return "Bad Request";
        case 401:
            return "Unauthorized";
        case 403:
            return "Forbidden";
        case 404:
            return "Not Found";
        case 405:
            return "Method Not Allowed";
        case 408:
            return "Request Timeout";
        case 409:
            return "Conflict";
        case 411:
            return "Length Required";
        case 413:
            return "Content Too Large";
        case 414:
            return "URI Too Long";
        case 415:
            return "Unsupported Media Type";
        case 422:
            return "Unprocessable Content";
        case 426:
            return "Upgrade Required";
        case 429:
            return "Too Many Requests";
        case 431:
            return "Request Header Fields Too Large";
        case 500:
            return "Internal Server Error";
        case 501:
            return "Not Implemented";
        case 502:
            return "Bad Gateway";
        case 503:
            return "Service Unavailable";
        case 504:
            return "Gateway Timeout";
        case 505:
            return "HTTP Version Not Supported";
        default:
            return "Unknown";
    }
}

std::string buildResponse(int status, std::string_view contentType, std::string_view body, bool keepAlive,
                          const std::vector<std::pair<std::string, std::string>>& extraHeaders) {
    char number[24];
    const std::string_view reason = reasonPhrase(status);
    const std::string_view connection = keepAlive ? "keep-alive" : "close";

    std::size_t size = 128 + reason.size() + contentType.size() + body.size();
    for (const auto& [name, value] : extraHeaders) size += name.size() + value.size() + 4;
    std::string out;
    out.reserve(size);

    out.append("HTTP/1.1 ");
    char* end = std::to_chars(number, number + sizeof number, status).ptr;
    out.append(number, static_cast<std::size_t>(end - number)).append(1, ' ').append(reason).append("\r\n");
    if (!contentType.empty()) out.append("Content-Type: ").append(contentType).append("\r\n");
    end = std::to_chars(number, number + sizeof number, body.size()).ptr;
    out.append("Content-Length: ").append(number, static_cast<std::size_t>(end - number)).append("\r\n");
    out.append("Connection: ").append(connection).append("\r\n");
    for (const auto& [name, value] : extraHeaders) out.append(name).append(": ").append(value).append("\r\n");
    out.append("\r\n").append(body);
    return out;
}

std::string buildStreamHead(int status, std::string_view contentType, bool chunked, bool keepAlive,
                            const std::vector<std::pair<std::string, std::string>>& extraHeaders) {
    char number[24];
    const std::string_view reason = reasonPhrase(status);
    std::string out;
    out.reserve(128 + contentType.size());
    out.append("HTTP/1.1 ");
    char* end = std::to_chars(number, number + sizeof number, status).ptr;
    out.append(number, static_cast<std::size_t>(end - number)).append(1, ' ').append(reason).append("\r\n");
    if (!contentType.empty()) out.append("Content-Type: ").append(contentType).append("\r\n");
    if (chunked) out.append("Transfer-Encoding: chunked\r\n");
    out.append("Connection: ").append(keepAlive ? "keep-alive" : "close").append("\r\n");
    for (const auto& [name, value] : extraHeaders) out.append(name).append(": ").append(value).append("\r\n");
    out.append("\r\n");
    return out;
}

std::string encodeChunk(std::string_view data) {
    char number[24];
    char* end = std::to_chars(number, number + sizeof number, data.size(), 16).ptr;
    std::string out;
    out.reserve(static_cast<std::size_t>(end - number) + data.size() + 4);
    out.append(number, static_cast<std::size_t>(end - number)).append("\r\n").append(data).append("\r\n");
    return out;
}

}  // namespace resound::http
