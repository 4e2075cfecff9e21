#pragma once
// HTTP Basic authentication of the dashboard's one user, "admin". The check hashes both the expected
// and the offered credentials with SHA-256 and compares the digests in constant time, so neither the
// password nor its length shows in the timing. A wrong password costs a base64 decode and two
// hashes (microseconds) and is answered at once: no sleeping on an event loop, no lock-out that a
// guesser could turn against the operator. Nothing here logs. Any thread.
#include <optional>
#include <string>
#include <string_view>

#include "crypto/Digest.h"
#include "service/HttpService.h"

namespace resound::dashboard {

inline constexpr std::string_view kDashboardUser = "admin";
inline constexpr std::string_view kDashboardRealm = "Resound dashboard";

class BasicAuth {
  public:
    explicit BasicAuth(std::string_view password);

    // True when `authorization` (the Authorization header's value) carries admin and the password.
    bool accepts(std::string_view authorization) const;

    // The 401 a refused request gets: WWW-Authenticate (the browser's login prompt) and a JSON body
    // that says what to send.
    static service::HttpReply challenge(std::string_view authorization);

  private:
    std::string expectedDigest_;  // SHA-256 of "admin:<password>"
};

}  // namespace resound::dashboard
