#include "auth/ChannelPattern.h"

namespace resound::auth {

// Iterative glob match: on a mismatch, retry from the last '*' with one more character swallowed.
// Linear in practice and never worse than pattern × channel (both short).
bool channelMatches(std::string_view pattern, std::string_view channel) {
    std::size_t p = 0;
    std::size_t c = 0;
    std::size_t star = std::string_view::npos;
    std::size_t resume = 0;
    while (c < channel.size()) {
        if (p < pattern.size() && pattern[p] == '*') {
            star = p++;
            resume = c;
        } else if (p < pattern.size() && pattern[p] == channel[c]) {
            ++p;
            ++c;
        } else if (star != std::string_view::npos) {
            p = star + 1;
            c = ++resume;
        } else {
            return false;
        }
    }
    while (p < pattern.size() && pattern[p] == '*') ++p;
    return p == pattern.size();
}

bool anyChannelMatches(std::span<const std::string> patterns, std::string_view channel) {
    for (const std::string& pattern : patterns) {
        if (channelMatches(pattern, channel)) return true;
    }
    return false;
}

}  // namespace resound::auth
