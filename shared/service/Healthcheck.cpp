#include "service/Healthcheck.h"

#include <Poco/Exception.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/URI.h>

#include <algorithm>
#include <cstdio>
#include <istream>

namespace resound::service {
namespace {

using Clock = std::chrono::steady_clock;

Poco::Timespan remaining(Clock::time_point deadline) {
    const auto left = std::chrono::duration_cast<std::chrono::microseconds>(deadline - Clock::now());
    // Poco treats a zero timeout as "no timeout" on some calls: never hand it zero.
    return Poco::Timespan(std::max<long long>(left.count(), 1000));
}

HealthcheckResult failure(int status, std::string detail) { return {false, status, std::move(detail)}; }

}  // namespace

HealthcheckResult probeHealth(const std::string& url, std::chrono::milliseconds timeout) {
    const Clock::time_point deadline = Clock::now() + timeout;
    Poco::URI uri;
    try {
        uri = Poco::URI(url);
    } catch (const Poco::Exception& e) {
        return failure(0, "invalid URL '" + url + "': " + e.displayText());
    }
    if (uri.getScheme() != "http" || uri.getHost().empty()) {
        return failure(0, "invalid URL '" + url + "': expected http://HOST:PORT/PATH");
    }
    try {
        Poco::Net::HTTPClientSession session(uri.getHost(), uri.getPort());
        session.setKeepAlive(false);
        session.setTimeout(remaining(deadline));
        Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_GET,
                                       uri.getPathAndQuery().empty() ? "/" : uri.getPathAndQuery(),
                                       Poco::Net::HTTPMessage::HTTP_1_1);
        request.set("User-Agent", "resound-healthcheck");
        session.sendRequest(request);
        session.setTimeout(remaining(deadline));
        Poco::Net::HTTPResponse response;
        std::istream& body = session.receiveResponse(response);
        body.ignore(64 * 1024);  // drain politely; the status is all that counts
        const int status = static_cast<int>(response.getStatus());
        if (status != 200) {
            return failure(status,
                           "GET " + url + " answered " + std::to_string(status) + " " + response.getReason());
        }
        return {true, status, ""};
    } catch (const Poco::TimeoutException&) {
        return failure(0, "GET " + url + ": no answer within " + std::to_string(timeout.count()) + " ms");
    } catch (const Poco::Exception& e) {
        return failure(0, "GET " + url + ": " + e.displayText());
    } catch (const std::exception& e) {
        return failure(0, "GET " + url + ": " + e.what());
    }
}

int runHealthcheck(const std::string& url, std::chrono::milliseconds timeout) {
    const HealthcheckResult result = probeHealth(url, timeout);
    if (result.healthy) return 0;
    std::fprintf(stderr, "unhealthy: %s\n", result.detail.c_str());
    return 1;
}

}  // namespace resound::service
