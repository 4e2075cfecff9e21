#include "pusher/SocketId.h"

#include <charconv>

#include "crypto/Random.h"

namespace resound::pusher {
namespace {

bool allDigits(std::string_view part) {
    if (part.empty()) return false;
    for (char c : part) {
        if (c < '0' || c > '9') return false;
    }
    return true;
}

}  // namespace

bool isValidSocketId(std::string_view text) {
    if (text.size() > kMaxSocketIdLength) return false;
    const std::size_t dot = text.find('.');
    if (dot == std::string_view::npos) return false;
    return allDigits(text.substr(0, dot)) && allDigits(text.substr(dot + 1));
}

std::optional<SocketId> parseSocketId(std::string_view text) {
    if (!isValidSocketId(text)) return std::nullopt;
    const std::size_t dot = text.find('.');
    SocketId id;
    const char* end = text.data() + text.size();
    const auto high = std::from_chars(text.data(), text.data() + dot, id.high);
    const auto low = std::from_chars(text.data() + dot + 1, end, id.low);
    if (high.ec != std::errc() || low.ec != std::errc()) return std::nullopt;  // out of range
    return id;
}

std::string toString(SocketId id) { return std::to_string(id.high) + "." + std::to_string(id.low); }

SocketId randomSocketId() {
    constexpr std::uint64_t kRange = 1'000'000'000;
    return SocketId{static_cast<std::uint32_t>(crypto::randomUint64() % kRange) + 1,
                    static_cast<std::uint32_t>(crypto::randomUint64() % kRange) + 1};
}

}  // namespace resound::pusher
