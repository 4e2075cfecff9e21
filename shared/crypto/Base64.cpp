#include "crypto/Base64.h"

#include <array>
#include <cstdint>

namespace resound::crypto {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::uint8_t kInvalid = 0xFF;

constexpr std::array<std::uint8_t, 256> makeDecodeTable() {
    std::array<std::uint8_t, 256> table{};
    for (auto& entry : table) entry = kInvalid;
    for (std::uint8_t i = 0; i < 64; ++i) table[static_cast<unsigned char>(kAlphabet[i])] = i;
    return table;
}
constexpr std::array<std::uint8_t, 256> kDecode = makeDecodeTable();

}  // namespace

std::string base64Encode(std::string_view bytes) {
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    const auto* in = reinterpret_cast<const unsigned char*>(bytes.data());
    std::size_t i = 0;
    for (; i + 3 <= bytes.size(); i += 3) {
        const std::uint32_t triple = (in[i] << 16) | (in[i + 1] << 8) | in[i + 2];
        out.push_back(kAlphabet[(triple >> 18) & 0x3F]);
        out.push_back(kAlphabet[(triple >> 12) & 0x3F]);
        out.push_back(kAlphabet[(triple >> 6) & 0x3F]);
        out.push_back(kAlphabet[triple & 0x3F]);
    }
    const std::size_t rest = bytes.size() - i;
    if (rest == 1) {
        const std::uint32_t triple = in[i] << 16;
        out.push_back(kAlphabet[(triple >> 18) & 0x3F]);
        out.push_back(kAlphabet[(triple >> 12) & 0x3F]);
        out += "==";
    } else if (rest == 2) {
        const std::uint32_t triple = (in[i] << 16) | (in[i + 1] << 8);
        out.push_back(kAlphabet[(triple >> 18) & 0x3F]);
        out.push_back(kAlphabet[(triple >> 12) & 0x3F]);
        out.push_back(kAlphabet[(triple >> 6) & 0x3F]);
        out.push_back('=');
    }
    return out;
}

std::optional<std::string> base64Decode(std::string_view text) {
    if (text.size() % 4 != 0) return std::nullopt;
    std::size_t padding = 0;
    if (!text.empty() && text.back() == '=') padding = (text[text.size() - 2] == '=') ? 2 : 1;

    std::string out;
    out.reserve(text.size() / 4 * 3);
    for (std::size_t i = 0; i < text.size(); i += 4) {
        const bool last = i + 4 == text.size();
        const std::size_t symbols = last ? 4 - padding : 4;
        std::uint32_t quad = 0;
        for (std::size_t j = 0; j < 4; ++j) {
            std::uint8_t value = 0;
            if (j < symbols) {
                value = kDecode[static_cast<unsigned char>(text[i + j])];
                if (value == kInvalid) return std::nullopt;  // also rejects a stray '='
            }
            quad = (quad << 6) | value;
        }
        // Non-canonical encodings (non-zero bits under the padding) are rejected.
        if (padding == 1 && last && (quad & 0xFF) != 0) return std::nullopt;
        if (padding == 2 && last && (quad & 0xFFFF) != 0) return std::nullopt;
        out.push_back(static_cast<char>((quad >> 16) & 0xFF));
        if (symbols > 2) out.push_back(static_cast<char>((quad >> 8) & 0xFF));
        if (symbols > 3) out.push_back(static_cast<char>(quad & 0xFF));
    }
    return out;
}

}  // namespace resound::crypto
