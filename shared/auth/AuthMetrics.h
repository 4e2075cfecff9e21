#pragma once
// Counters of the auth verifier for its /metrics (Prometheus text): responses by endpoint and status,
// refusals by reason. Any thread (relaxed atomics).
#include <array>
#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

namespace resound::auth {

enum class AuthEndpoint { Channel, User, Forward, Other };

class AuthMetrics {
  public:
    void countResponse(AuthEndpoint endpoint, int status);
    void countFailure(std::string_view reason);  // an AuthFailure code; unknown codes count as "other"
    std::string renderPrometheus() const;

    static constexpr std::array<std::string_view, 14> kReasons = {"missing_token",
                                                                  "malformed_token",
                                                                  "unsupported_algorithm",
                                                                  "unknown_app",
                                                                  "bad_signature",
                                                                  "token_expired",
                                                                  "token_not_yet_valid",
                                                                  "bad_claims",
                                                                  "bad_request",
                                                                  "channel_not_allowed",
                                                                  "encryption_unavailable",
                                                                  "user_info_too_large",
                                                                  "origin_not_allowed",
                                                                  "other"};

  private:
    static constexpr int kStatuses = 600;
    std::array<std::array<std::atomic<std::uint64_t>, kStatuses>, 4> responses_{};
    std::array<std::atomic<std::uint64_t>, kReasons.size()> failures_{};
};

}  // namespace resound::auth
