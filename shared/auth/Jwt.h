#pragma once
// HS256 JSON Web Tokens in compact form (RFC 7519, RFC 7515) as browsers present them to the auth
// verifier. Decoding and signature checking are separate so the caller can pick the key from the
// (not yet trusted) app claim first. Pure functions, any thread.
#include <Poco/JSON/Object.h>

#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "auth/AuthFailure.h"

namespace resound::auth {

struct DecodedJwt {
    std::string signingInput;        // "<header>.<payload>" exactly as received
    std::string signature;           // raw bytes of the third part
    Poco::JSON::Object::Ptr claims;  // the payload object; untrusted until the signature checks out
};

inline constexpr std::size_t kMaxTokenBytes = 8192;

// Splits, base64url-decodes and parses a token; the header must say "alg":"HS256" (so "none" and RS/ES
// algorithms are refused before any key is involved) and carry no "crit". 401 failures otherwise.
std::variant<DecodedJwt, AuthFailure> decodeJwt(std::string_view token);

// HMAC-SHA256 of the signing input with `secret`, compared in constant time.
bool hasValidHs256Signature(const DecodedJwt& jwt, std::string_view secret);

// base64url without padding (RFC 7515 section 2). Decoding is strict: no padding, no other alphabet,
// no non-zero spare bits.
std::string base64UrlEncode(std::string_view bytes);
std::optional<std::string> base64UrlDecode(std::string_view text);

// A complete HS256 token for the given header and claims JSON (tests, tools).
std::string signHs256(std::string_view headerJson, std::string_view claimsJson, std::string_view secret);

}  // namespace resound::auth
