#include "dashboard/BasicAuth.h"

#include <cctype>

#include "crypto/Base64.h"
#include "crypto/ConstantTime.h"

namespace resound::dashboard {
namespace {

constexpr std::size_t kMaxCredentialsLength = 1024;  // base64 text; longer headers are simply wrong

std::string_view trimmed(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
    return text;
}

bool startsWithBasic(std::string_view text) {
    constexpr std::string_view kScheme = "basic";
    if (text.size() <= kScheme.size() || (text[kScheme.size()] != ' ' && text[kScheme.size()] != '\t'))
        return false;
    for (std::size_t i = 0; i < kScheme.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(text[i])) != kScheme[i]) return false;
    }
    return true;
}

}  // namespace

BasicAuth::BasicAuth(std::string_view password)
    : expectedDigest_(crypto::sha256(std::string(kDashboardUser) + ":" + std::string(password))) {}

bool BasicAuth::accepts(std::string_view authorization) const {
    authorization = trimmed(authorization);
    if (!startsWithBasic(authorization)) return false;
    const std::string_view encoded = trimmed(authorization.substr(5));
    if (encoded.empty() || encoded.size() > kMaxCredentialsLength) return false;
    const auto decoded = crypto::base64Decode(encoded);
    if (!decoded) return false;
    // Both sides are 32-byte digests: the comparison's time says nothing about the password.
    return crypto::constantTimeEquals(crypto::sha256(*decoded), expectedDigest_);
}

service::HttpReply BasicAuth::challenge(std::string_view authorization) {
    service::HttpReply reply = service::jsonError(
        401, "unauthorized",
        authorization.empty()
            ? "Log in as admin with the dashboard password (RESOUND_DASHBOARD_PASSWORD)"
            : "Wrong user or password: the user is admin, the password is RESOUND_DASHBOARD_PASSWORD");
    reply.headers.emplace_back("WWW-Authenticate",
                               "Basic realm=\"" + std::string(kDashboardRealm) + "\", charset=\"UTF-8\"");
    reply.headers.emplace_back("Cache-Control", "no-store");
    return reply;
}

}  // namespace resound::dashboard
