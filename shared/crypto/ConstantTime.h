#pragma once
// Comparison of secrets (signatures, keys) whose running time does not depend on where the inputs
// differ. Any thread.
#include <string_view>

namespace resound::crypto {

// True when a == b. The time depends only on the lengths: a length mismatch returns false at once,
// which leaks nothing useful because every value we compare has a public, fixed length.
bool constantTimeEquals(std::string_view a, std::string_view b);

}  // namespace resound::crypto
