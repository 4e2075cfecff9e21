#include "PublishRequest.h"

#include "api/RequestSignature.h"
#include "json/JsonText.h"

namespace resound::bench {

std::string buildEventBody(std::string_view eventName, std::string_view channel, std::string_view data) {
    std::string body = "{\"name\":";
    json::appendQuoted(body, eventName);
    body += ",\"channel\":";
    json::appendQuoted(body, channel);
    body += ",\"data\":";
    json::appendQuoted(body, data);
    body += "}";
    return body;
}

std::string buildBatchBody(const std::vector<std::string>& eventBodies) {
    std::string body = "{\"batch\":[";
    for (std::size_t i = 0; i < eventBodies.size(); ++i) {
        if (i > 0) body += ',';
        body += eventBodies[i];
    }
    body += "]}";
    return body;
}

std::string buildPublishRequest(const PublishTarget& target, std::string_view body, std::int64_t unixSeconds,
                                std::string_view endpoint) {
    const std::string path = "/apps/" + target.appId + "/" + std::string(endpoint);
    const std::string query =
        api::signRequest("POST", path, {}, body, target.appKey, target.appSecret, unixSeconds);
    std::string request;
    request.reserve(path.size() + query.size() + target.hostHeader.size() + body.size() + 128);
    request += "POST ";
    request += path;
    request += "?";
    request += query;
    request += " HTTP/1.1\r\nHost: ";
    request += target.hostHeader;
    request += "\r\nContent-Type: application/json\r\nContent-Length: ";
    request += std::to_string(body.size());
    request += "\r\n\r\n";
    request += body;
    return request;
}

}  // namespace resound::bench
