#pragma once
// Cryptographically strong random numbers (OpenSSL RAND_bytes), e.g. for socket ids. Any thread.
#include <cstdint>

namespace resound::crypto {

// Throws std::runtime_error if the OpenSSL generator fails (it cannot be seeded): callers treat
// that as fatal rather than falling back to a predictable generator.
std::uint64_t randomUint64();

}  // namespace resound::crypto
