#pragma once
// A complete HTTP response decided by a handler, before it is serialised onto a connection.
#include <string>
#include <utility>
#include <vector>

namespace resound::edge {

struct HttpResponse {
    int status = 200;
    std::string contentType = "application/json";
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;
};

}  // namespace resound::edge
