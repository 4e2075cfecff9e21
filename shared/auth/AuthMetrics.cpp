#include "auth/AuthMetrics.h"

#include "metrics/PrometheusText.h"
#include "util/Version.h"

namespace resound::auth {
namespace {

constexpr std::string_view kEndpointNames[] = {"channel", "user", "forward", "other"};

}  // namespace

void AuthMetrics::countResponse(AuthEndpoint endpoint, int status) {
    if (status < 0 || status >= kStatuses) return;
    responses_[static_cast<std::size_t>(endpoint)][static_cast<std::size_t>(status)].fetch_add(
        1, std::memory_order_relaxed);
}

void AuthMetrics::countFailure(std::string_view reason) {
    std::size_t index = kReasons.size() - 1;  // "other"
    for (std::size_t i = 0; i < kReasons.size(); ++i) {
        if (kReasons[i] == reason) index = i;
    }
    failures_[index].fetch_add(1, std::memory_order_relaxed);
}

std::string AuthMetrics::renderPrometheus() const {
    std::string out;
    metrics::appendFamily(out, "resound_auth_requests_total", "counter",
                          "Responses of the auth verifier, by endpoint and HTTP status.");
    for (std::size_t e = 0; e < responses_.size(); ++e) {
        for (int status = 0; status < kStatuses; ++status) {
            const std::uint64_t n =
                responses_[e][static_cast<std::size_t>(status)].load(std::memory_order_relaxed);
            if (n == 0) continue;
            out += "resound_auth_requests_total{endpoint=\"" + std::string(kEndpointNames[e]) +
                   "\",status=\"" + std::to_string(status) + "\"} " + std::to_string(n) + "\n";
        }
    }
    metrics::appendFamily(out, "resound_auth_failures_total", "counter", "Refused auth requests, by reason.");
    for (std::size_t i = 0; i < kReasons.size(); ++i) {
        out += "resound_auth_failures_total{reason=\"" + std::string(kReasons[i]) + "\"} " +
               std::to_string(failures_[i].load(std::memory_order_relaxed)) + "\n";
    }
    metrics::appendFamily(out, "resound_build_info", "gauge", "Version of the running binary.");
    out += "resound_build_info{service=\"resound-auth\",version=\"" + std::string(kVersion) + "\"} 1\n";
    return out;
}

}  // namespace resound::auth
