#include "dashboard/DebugFilter.h"

#include <cctype>

namespace resound::dashboard {

namespace {

bool isNameCharacter(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '=' || c == '@' ||
           c == ',' || c == '.' || c == ';' || c == '*';
}

bool isEventCharacter(char c) { return isNameCharacter(c) || c == ':' || c == '\\' || c == '/' || c == '#'; }

bool looksLikeRegex(std::string_view pattern) {
    return pattern.find_first_of("()[]{}+?^$|") != std::string_view::npos;
}

std::optional<std::string> patternProblem(std::string_view what, std::string_view pattern,
                                          bool (*allowed)(char), std::string_view allowedText) {
    if (pattern.size() > kMaxPatternLength) {
        return std::string(what) + " filter is longer than " + std::to_string(kMaxPatternLength) +
               " characters";
    }
    for (char c : pattern) {
        if (allowed(c)) continue;
        if (looksLikeRegex(pattern)) {
            return std::string(what) +
                   " filter: regular expressions are not supported; use * as a wildcard (for example "
                   "private-orders.*)";
        }
        return std::string(what) + " filter may contain only " + std::string(allowedText) +
               " and * wildcards";
    }
    return std::nullopt;
}

}  // namespace

std::optional<std::string> DebugFilter::problem() const {
    if (appId.empty()) return std::string("an app id is required");
    if (auto problem =
            patternProblem("channel", channel, isNameCharacter, "letters, digits and _ - = @ , . ;")) {
        return problem;
    }
    return patternProblem("event", event, isEventCharacter, "letters, digits and _ - = @ , . ; : \\ / #");
}

bool DebugFilter::matches(std::string_view eventAppId, std::string_view channelName,
                          std::string_view eventName) const {
    if (eventAppId != appId) return false;
    if (!channel.empty() && !wildcardMatch(channel, channelName)) return false;
    if (!event.empty() && !wildcardMatch(event, eventName)) return false;
    return true;
}

bool wildcardMatch(std::string_view pattern, std::string_view text) {
    // Greedy matching that backtracks only to the last star: each star restarts at most text.size()
    // times, so the work is bounded by pattern.size() * text.size() (both short) with no recursion.
    std::size_t p = 0, t = 0;
    std::size_t star = std::string_view::npos, resume = 0;
    while (t < text.size()) {
        if (p < pattern.size() && pattern[p] == '*') {
            star = p++;
            resume = t;
        } else if (p < pattern.size() && pattern[p] == text[t]) {
            ++p;
            ++t;
        } else if (star != std::string_view::npos) {
            p = star + 1;
            t = ++resume;
        } else {
            return false;
        }
    }
    while (p < pattern.size() && pattern[p] == '*') ++p;
    return p == pattern.size();
}

}  // namespace resound::dashboard
