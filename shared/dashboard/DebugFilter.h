#pragma once
// What one console watches: one app, optionally narrowed by channel and event name. Patterns are
// literal text with `*` wildcards, matched in time linear in their (capped) lengths, so a console
// cannot slow the server with a pathological pattern (there are no regular expressions to bomb).
// A plain value: any thread.
#include <optional>
#include <string>
#include <string_view>

namespace resound::dashboard {

struct DebugFilter {
    std::string appId;
    std::string channel;  // "" = every channel (and events that concern none)
    std::string event;    // "" = every event name (and events without one)

    // Why this filter is refused (for a 400 with a clear message), or nullopt when usable: patterns of
    // at most kMaxPatternLength characters drawn from what channel names may contain (letters, digits,
    // _ - = @ , . ;) and, for event names, also : \ / # (Laravel's "App\Events\OrderShipped"), plus
    // the `*` wildcard. Regular-expression syntax is refused with a message that says so.
    std::optional<std::string> problem() const;

    bool matches(std::string_view eventAppId, std::string_view channelName, std::string_view eventName) const;
};

inline constexpr std::size_t kMaxPatternLength = 200;

// `*` matches any run of characters (also none); everything else matches itself, case-sensitively.
bool wildcardMatch(std::string_view pattern, std::string_view text);

}  // namespace resound::dashboard
