#pragma once
// Text we send must be valid UTF-8 (JSON per RFC 8259 §8.1, WebSocket text frames per RFC 6455), but
// error messages quote bytes clients sent. This replaces every invalid sequence with U+FFFD. Any thread.
#include <string>
#include <string_view>

namespace resound::json {

// Appends `text` to `out`, each maximal invalid UTF-8 subsequence replaced by U+FFFD.
void appendRepairedUtf8(std::string& out, std::string_view text);

inline std::string repairedUtf8(std::string_view text) {
    std::string out;
    appendRepairedUtf8(out, text);
    return out;
}

}  // namespace resound::json
