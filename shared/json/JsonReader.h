#pragma once
// A strict RFC 8259 reader for one JSON text, for request bodies on the publish hot path: one pass,
// no exceptions on bad input, a depth limit so "[[[[..." cannot exhaust the stack. Any thread.
//
// Strict means: only the RFC grammar (no comments, trailing commas, NaN, leading zeros, "1."), input
// must be valid UTF-8 and \u escapes must not leave a lone surrogate, nothing but whitespace after the
// value, numbers within the range of a double (RFC 8259 section 6; tiny ones may round to 0). Any value may
// be the top level. Duplicate object keys: the last value wins, kept at the place of the first occurrence (as
// Poco::JSON does), so callers never see two.
#include <cstddef>
#include <optional>
#include <string_view>

#include "json/JsonValue.h"

namespace resound::json {

// Deep enough for any real payload (arrays and objects count one level each).
inline constexpr std::size_t kDefaultMaxJsonDepth = 64;

struct JsonError {
    std::size_t offset = 0;    // byte offset into the input where reading stopped
    const char* message = "";  // short, static, never quotes the input
};

struct JsonReadResult {
    JsonValue value;  // meaningful only when !error
    std::optional<JsonError> error;

    bool ok() const { return !error.has_value(); }
};

JsonReadResult readJson(std::string_view text, std::size_t maxDepth = kDefaultMaxJsonDepth);

}  // namespace resound::json
