#pragma once
// The allowed_origins rule, the one implementation used by the edge (WebSocket upgrade, 4009) and by
// resound-auth (CORS and token origin checks). Pure functions, any thread.
//
// An origin is "scheme://host[:port]" (RFC 6454); its host is compared with each entry:
// - "*" allows every origin, a missing one included;
// - "example.com" allows exactly that host; host names compare case-insensitively;
// - "*.example.com" allows any subdomain of example.com (not example.com itself);
// - an IPv6 literal may be written "[::1]" or "::1" and matches "https://[::1]:8080".
// Scheme and port are ignored. A header that is not an origin ("null", "example.com" without a
// scheme, an unclosed "[") has no host and is allowed only by "*".
//
// A missing (or empty) Origin is allowed only by "*". The edge applies that as is (non-browser
// clients must send an Origin when the list has no "*"); resound-auth checks origins only of
// requests that carry one, since only browsers are subject to CORS.
#include <span>
#include <string>
#include <string_view>

namespace resound::pusher {

// "https://App.Example.com:8443" -> "App.Example.com", "https://[::1]:8080" -> "::1";
// "" when the text is not an origin.
std::string_view originHost(std::string_view origin);

// Whether one allowed_origins entry admits a host (as returned by originHost).
bool originEntryMatches(std::string_view entry, std::string_view host);

bool originAllowed(std::span<const std::string> allowedOrigins, std::string_view origin);

}  // namespace resound::pusher
