#pragma once
// Which browser origins may call the auth verifier: the apps' allowed_origins, with the edge's
// semantics (host names only; "*" allows any origin; "*.example.com" any subdomain of example.com).
// Pure functions, any thread.
#include <span>
#include <string>
#include <string_view>

namespace resound::auth {

// "https://app.example.com:8443" -> "app.example.com"; "" when the header is not an origin.
std::string_view originHost(std::string_view origin);

bool originAllowed(std::span<const std::string> allowedOrigins, std::string_view origin);

}  // namespace resound::auth
