#pragma once
// Server-side RFC 6455 frame encoding (plus masked client frames for tests, the benchmark and raw
// clients). Pure functions on bytes: safe to call from any thread.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace resound::ws {

enum class Opcode : uint8_t {
    Continuation = 0x0,
    Text = 0x1,
    Binary = 0x2,
    Close = 0x8,
    Ping = 0x9,
    Pong = 0xA
};

namespace close_code {
constexpr uint16_t Normal = 1000, GoingAway = 1001, ProtocolError = 1002, UnsupportedData = 1003,
                   NoStatus = 1005, Abnormal = 1006, InvalidPayload = 1007, PolicyViolation = 1008,
                   MessageTooBig = 1009, InternalError = 1011;
}

// Largest control-frame payload allowed by RFC 6455 5.5.
inline constexpr std::size_t kMaxControlPayload = 125;

// Server->client frame (unmasked, FIN set unless fin=false): header + payload as one string.
std::string encodeFrame(Opcode op, std::string_view payload, bool fin = true);

// Appends only the header for a payload of `length` bytes (lets callers build header+payload in one buffer).
void appendFrameHeader(std::string& out, Opcode op, std::size_t length, bool fin = true);

// Close frame; the reason is truncated so the payload stays <= 125 bytes, cut at a UTF-8 boundary.
std::string encodeCloseFrame(uint16_t code, std::string_view reason);

// Client->server frame, masked with maskKey (big-endian: the first mask byte is maskKey >> 24).
// `rsv` is placed in bits 4-6 of the first byte (0..7), so tests can produce illegal frames.
std::string encodeMaskedFrame(Opcode op, std::string_view payload, uint32_t maskKey, bool fin = true,
                              uint8_t rsv = 0);

}  // namespace resound::ws
