#include "websocket/Handshake.h"

#include <openssl/evp.h>

#include <cstdint>

namespace resound::ws {
namespace {

constexpr std::string_view kHandshakeGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
constexpr std::string_view kBase64Alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

}  // namespace

std::string computeAcceptKey(std::string_view secWebSocketKey) {
    std::string input;
    input.reserve(secWebSocketKey.size() + kHandshakeGuid.size());
    input.append(secWebSocketKey).append(kHandshakeGuid);

    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int digestLen = 0;
    if (EVP_Digest(input.data(), input.size(), digest, &digestLen, EVP_sha1(), nullptr) != 1 ||
        digestLen != 20) {
        return {};  // only if OpenSSL itself is broken; an empty accept key fails the handshake
    }
    // 20 bytes -> 28 base64 characters plus the NUL EVP_EncodeBlock writes.
    unsigned char encoded[29];
    const int encodedLen = EVP_EncodeBlock(encoded, digest, static_cast<int>(digestLen));
    return std::string(reinterpret_cast<const char*>(encoded), static_cast<std::size_t>(encodedLen));
}

bool isValidClientKey(std::string_view key) {
    if (key.size() != 24 || key[22] != '=' || key[23] != '=') return false;
    for (std::size_t i = 0; i < 22; ++i) {
        if (kBase64Alphabet.find(key[i]) == std::string_view::npos) return false;
    }
    // The 22nd character holds the last 2 bits of byte 16; its low 4 bits are padding and must be zero.
    return (kBase64Alphabet.find(key[21]) & 0x0F) == 0;
}

std::string buildUpgradeResponse(std::string_view acceptKey) {
    std::string response;
    response.reserve(128);
    response.append(
        "HTTP/1.1 101 Switching Protocols\r\n"
        "Upgrade: websocket\r\n"
        "Connection: Upgrade\r\n"
        "Sec-WebSocket-Accept: ");
    response.append(acceptKey);
    response.append("\r\n\r\n");
    return response;
}

bool acceptKeysWork() {
    return computeAcceptKey("dGhlIHNhbXBsZSBub25jZQ==") == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";
}

}  // namespace resound::ws
