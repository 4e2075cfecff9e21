#pragma once
// Standard base64 (RFC 4648 section 4, with '=' padding, no line breaks), e.g. for the
// encrypted-channel shared_secret and the WebSocket accept key. Pure functions, any thread.
#include <optional>
#include <string>
#include <string_view>

namespace resound::crypto {

std::string base64Encode(std::string_view bytes);

// Strict: the length must be a multiple of 4, padding only at the end, no whitespace, and unused
// low bits of the last symbol must be zero. Returns nullopt for anything else.
std::optional<std::string> base64Decode(std::string_view text);

}  // namespace resound::crypto
