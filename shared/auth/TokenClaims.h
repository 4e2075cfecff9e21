#pragma once
// The claims of a browser token (docs/auth-verifier.md): who the user is, which channels they may
// join, which app the token is for, and when it is valid. Pure functions, any thread.
#include <Poco/JSON/Object.h>

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "auth/AuthFailure.h"

namespace resound::auth {

struct TokenClaims {
    std::string subject;                       // "sub"; a number is kept as its decimal text
    std::optional<std::string> userInfoJson;   // "user_info" object, compact JSON
    std::vector<std::string> channelPatterns;  // "channels"; may be empty (sign-in only)
    std::int64_t expiresAt = 0;                // "exp", Unix seconds
};

// The app the token names: "app" first, then every "aud" entry (a string or an array of strings).
// Read before the signature is checked, only to choose the key.
std::vector<std::string> appCandidates(const Poco::JSON::Object& claims);

// Types and time window: "exp" is required; "nbf" and "iat" may not lie in the future; each with
// `leewaySeconds` of clock skew. Call only after the signature has been verified.
std::variant<TokenClaims, AuthFailure> readClaims(const Poco::JSON::Object& claims, std::int64_t nowSeconds,
                                                  int leewaySeconds);

}  // namespace resound::auth
