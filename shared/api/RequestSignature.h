#pragma once
// Pusher HTTP API request signing, auth_version 1.0 (docs/protocol.md 2.1), exactly as the server SDKs
// sign: HMAC-SHA256(secret, METHOD "\n" PATH "\n" CANONICAL_QUERY) where the canonical query is every
// parameter except auth_signature, keys lower-cased, sorted by key, joined "k=v" with '&', values
// as decoded (not re-escaped). Pure functions, any thread.
#include <cstdint>
#include <string>
#include <string_view>

#include "config/Config.h"
#include "http/QueryString.h"

namespace resound::api {

// Outcome of a signature check; `reason` is the user-facing explanation for the 401 body.
struct SignatureCheck {
    bool valid = false;
    std::string reason;
    explicit operator bool() const { return valid; }
};

// Verifies a request against `app`:
// - auth_key present and equal to app.key;
// - auth_version "1.0";
// - auth_timestamp an integer within +-windowSeconds of nowUnixSeconds (windowSeconds <= 0: unchecked);
// - body_md5 required when the body is non-empty, and whenever present equal to the MD5 of the
//   body as received (recomputed here, never trusted);
// - auth_signature equal (constant time) to the HMAC over method, path and the canonical query.
// `path` is the canonical path the SDK signed ("/apps/{id}/events"): strip any proxy prefix first.
// `params` are the decoded query parameters.
SignatureCheck verifyRequestSignature(std::string_view method, std::string_view path,
                                      const http::QueryParams& params, std::string_view body,
                                      const config::AppConfig& app, std::int64_t nowUnixSeconds,
                                      int windowSeconds);

// METHOD "\n" PATH "\n" CANONICAL_QUERY for `params` (auth_signature, if present, is left out).
std::string requestStringToSign(std::string_view method, std::string_view path,
                                const http::QueryParams& params);

// Signs a request the way the SDKs do and returns its query string (without '?'): `params` first,
// then auth_key, auth_timestamp, auth_version=1.0, body_md5 (only for a non-empty body) and
// auth_signature; every key and value percent-encoded. For the benchmark tool and tests.
std::string signRequest(std::string_view method, std::string_view path, const http::QueryParams& params,
                        std::string_view body, std::string_view key, std::string_view secret,
                        std::int64_t timestamp);

}  // namespace resound::api
