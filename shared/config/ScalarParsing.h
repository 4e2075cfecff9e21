#pragma once
// Text -> typed value conversions shared by the YAML reader (scalars) and the environment overrides,
// so both report bad values the same way: "<name>: '<text>' is not a number". Start-up only.
#include <limits>
#include <span>
#include <string>
#include <string_view>

namespace resound::config::detail {

inline constexpr long long kUnbounded = std::numeric_limits<long long>::max();

// Throws ConfigError("<name>: <problem>"), the one message shape every config error uses.
[[noreturn]] void failField(std::string_view name, const std::string& problem);

// Strips ASCII whitespace at both ends.
std::string_view trim(std::string_view text);
// 'text' made safe for a one-line message: control characters replaced, long values shortened.
std::string quoted(std::string_view text);

// A decimal integer within [min, max] and not above `limit` (the target type's maximum); throws
// ConfigError naming `name` otherwise. max == kUnbounded means the option itself sets no maximum.
long long parseInteger(std::string_view name, std::string_view text, long long min, long long max,
                       long long limit = kUnbounded);
// true/false, yes/no, on/off, 1/0 in any case.
bool parseBool(std::string_view name, std::string_view text);
// One of `choices` compared case-insensitively; returns the canonical (listed) spelling.
std::string_view parseChoice(std::string_view name, std::string_view text,
                             std::span<const std::string_view> choices);

// Range checks on already typed values (validate() on a Config built in code).
// As parseInteger; for the unsigned overload an unbounded max checks nothing above.
void checkRange(std::string_view name, long long value, long long min, long long max);
void checkRange(std::string_view name, unsigned long long value, long long min, long long max);

}  // namespace resound::config::detail
