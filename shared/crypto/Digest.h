#pragma once
// Hashes and MACs over OpenSSL 3 (EVP / EVP_MAC): HMAC-SHA256 for Pusher signatures, MD5 for
// body_md5, SHA-256 for encrypted-channel keys. Any thread: each thread reuses its own OpenSSL
// contexts, so the hot path (one HMAC per signed request) allocates nothing inside OpenSSL.
#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace resound::crypto {

using Sha256Digest = std::array<std::uint8_t, 32>;
using Md5Digest = std::array<std::uint8_t, 16>;

// Raw HMAC-SHA256 of `data` keyed with `key`.
Sha256Digest hmacSha256(std::string_view key, std::string_view data);
// Lower-case hex HMAC-SHA256 (64 characters), the form Pusher signatures use.
std::string hmacSha256Hex(std::string_view key, std::string_view data);

Md5Digest md5(std::string_view data);
// Lower-case hex MD5 (32 characters), the form of body_md5.
std::string md5Hex(std::string_view data);

// Raw SHA-256 (32 bytes) as a string, e.g. for base64Encode(sha256(channel + masterKey)).
std::string sha256(std::string_view data);

// Lower-case hex of arbitrary bytes; appendHex writes into `out` without a temporary.
std::string toHex(const std::uint8_t* bytes, std::size_t length);
void appendHex(std::string& out, const std::uint8_t* bytes, std::size_t length);

}  // namespace resound::crypto
