#pragma once
// Building JSON text by hand on hot paths (no DOM): escaping strings and quoting them.
// Any thread.
#include <string>
#include <string_view>

namespace resound::json {

// Appends `value` as a JSON string literal (with the quotes), escaping per RFC 8259.
// Valid UTF-8 is copied as it is; invalid sequences become U+FFFD, so the result is always valid JSON.
void appendQuoted(std::string& out, std::string_view value);

// Appends the UTF-8 encoding of one code point (at most U+10FFFF; the caller rules out surrogates).
void appendUtf8(std::string& out, char32_t codePoint);

inline std::string quoted(std::string_view value) {
    std::string out;
    appendQuoted(out, value);
    return out;
}

}  // namespace resound::json
