#include "http/RequestBytes.h"

namespace resound::http {

std::string requestBytes(const Request& request) {
    std::string out;
    out.reserve(request.target.size() + request.body.size() + 64 + request.headers.size() * 32);
    out += request.method;
    out += ' ';
    out += request.target;
    out += " HTTP/1.";
    out += std::to_string(request.versionMinor);
    out += "\r\n";
    for (const auto& [name, value] : request.headers) {
        if (name == "content-length" || name == "transfer-encoding") continue;
        out += name;
        out += ": ";
        out += value;
        out += "\r\n";
    }
    if (!request.body.empty()) out += "content-length: " + std::to_string(request.body.size()) + "\r\n";
    out += "\r\n";
    out += request.body;
    return out;
}

}  // namespace resound::http
