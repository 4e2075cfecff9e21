#include "websocket/FrameEncoder.h"

namespace resound::ws {
namespace {

// Writes byte 0, the length byte(s) and optionally the mask bit; the caller appends the mask key.
void appendHeader(std::string& out, uint8_t firstByte, std::size_t length, bool masked) {
    const uint8_t maskBit = masked ? 0x80 : 0x00;
    out.push_back(static_cast<char>(firstByte));
    if (length <= 125) {
        out.push_back(static_cast<char>(maskBit | static_cast<uint8_t>(length)));
    } else if (length <= 0xFFFF) {
        out.push_back(static_cast<char>(maskBit | 126));
        out.push_back(static_cast<char>((length >> 8) & 0xFF));
        out.push_back(static_cast<char>(length & 0xFF));
    } else {
        out.push_back(static_cast<char>(maskBit | 127));
        const uint64_t len64 = length;
        for (int shift = 56; shift >= 0; shift -= 8) {
            out.push_back(static_cast<char>((len64 >> shift) & 0xFF));
        }
    }
}

uint8_t firstByteOf(Opcode op, bool fin, uint8_t rsv = 0) {
    return static_cast<uint8_t>((fin ? 0x80 : 0x00) | ((rsv & 0x7) << 4) | (static_cast<uint8_t>(op) & 0x0F));
}

std::size_t headerSize(std::size_t length, bool masked) {
    const std::size_t base = length <= 125 ? 2 : (length <= 0xFFFF ? 4 : 10);
    return base + (masked ? 4 : 0);
}

}  // namespace

void appendFrameHeader(std::string& out, Opcode op, std::size_t length, bool fin) {
    appendHeader(out, firstByteOf(op, fin), length, false);
}

std::string encodeFrame(Opcode op, std::string_view payload, bool fin) {
    std::string out;
    out.reserve(headerSize(payload.size(), false) + payload.size());
    appendFrameHeader(out, op, payload.size(), fin);
    out.append(payload);
    return out;
}

std::string encodeCloseFrame(uint16_t code, std::string_view reason) {
    constexpr std::size_t kMaxReason = kMaxControlPayload - 2;
    if (reason.size() > kMaxReason) {
        std::size_t cut = kMaxReason;
        // Step back over continuation bytes (10xxxxxx) so no code point is split.
        while (cut > 0 && (static_cast<uint8_t>(reason[cut]) & 0xC0) == 0x80) --cut;
        reason = reason.substr(0, cut);
    }
    std::string out;
    out.reserve(2 + 2 + reason.size());
    appendFrameHeader(out, Opcode::Close, 2 + reason.size());
    out.push_back(static_cast<char>(code >> 8));
    out.push_back(static_cast<char>(code & 0xFF));
    out.append(reason);
    return out;
}

std::string encodeMaskedFrame(Opcode op, std::string_view payload, uint32_t maskKey, bool fin, uint8_t rsv) {
    const uint8_t mask[4] = {static_cast<uint8_t>(maskKey >> 24), static_cast<uint8_t>(maskKey >> 16),
                             static_cast<uint8_t>(maskKey >> 8), static_cast<uint8_t>(maskKey)};
    std::string out;
    out.reserve(headerSize(payload.size(), true) + payload.size());
    appendHeader(out, firstByteOf(op, fin, rsv), payload.size(), true);
    out.append(reinterpret_cast<const char*>(mask), 4);
    for (std::size_t i = 0; i < payload.size(); ++i) {
        out.push_back(static_cast<char>(static_cast<uint8_t>(payload[i]) ^ mask[i & 3]));
    }
    return out;
}

}  // namespace resound::ws
