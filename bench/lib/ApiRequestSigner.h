#pragma once
// Signs Pusher HTTP API requests (auth_version 1.0, PROTOCOL.md §2.1) for the load generator.
// A private copy for bench/: shared/api/RequestSignature.h was not in the tree when the tool was
// written; switch to it once it lands. Pure functions, any thread.
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace resound::bench {

using QueryParams = std::vector<std::pair<std::string, std::string>>;

// Lower-case hex MD5 of `data` (the body_md5 parameter).
std::string md5Hex(std::string_view data);

// Lower-case hex HMAC-SHA256 of `message` keyed with `secret`.
std::string hmacSha256Hex(std::string_view secret, std::string_view message);

// "k=v&k=v": keys lower-cased and sorted, values raw (not URL-escaped), auth_signature left out.
std::string canonicalQuery(QueryParams params);

// METHOD "\n" PATH "\n" CANONICAL_QUERY, the method upper-cased.
std::string stringToSign(std::string_view method, std::string_view path, std::string_view canonical);

// Everything after '?' for a signed request: auth_key, auth_timestamp, auth_version=1.0, body_md5
// (only when the body is non-empty), `extra`, and auth_signature last; values URL-escaped.
std::string signedQueryString(std::string_view method, std::string_view path, std::string_view key,
                              std::string_view secret, std::int64_t unixSeconds, std::string_view body,
                              const QueryParams& extra = {});

}  // namespace resound::bench
