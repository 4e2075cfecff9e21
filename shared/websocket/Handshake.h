#pragma once
// Server side of the RFC 6455 opening handshake (4.2): key check, accept key, 101 response.
// Pure functions: safe from any thread. HTTP parsing itself is the caller's job.
#include <string>
#include <string_view>

namespace resound::ws {

// Sec-WebSocket-Accept for a client's Sec-WebSocket-Key: base64(SHA-1(key + RFC 6455 GUID)).
std::string computeAcceptKey(std::string_view secWebSocketKey);

// True when the key is the canonical base64 encoding of 16 bytes: 22 base64 characters, the last of
// which carries no stray low bits, then "==". The value must already be trimmed of header whitespace.
bool isValidClientKey(std::string_view secWebSocketKey);

// The complete "HTTP/1.1 101 Switching Protocols" response, ending with the blank line.
std::string buildUpgradeResponse(std::string_view acceptKey);

// Computes RFC 6455's own example (section 1.3) and compares. For start-up: false means the crypto
// library cannot compute accept keys (no SHA-1), so every handshake would fail. It also makes OpenSSL
// do its one-time initialisation (reading openssl.cnf, loading its provider: about 1 ms and 2 MiB of
// library code) then, instead of in the first client's handshake on an event loop.
bool acceptKeysWork();

}  // namespace resound::ws
