#include "crypto/Random.h"

#include <openssl/rand.h>

#include <cstring>
#include <stdexcept>

namespace resound::crypto {

std::uint64_t randomUint64() {
    unsigned char bytes[sizeof(std::uint64_t)];
    if (RAND_bytes(bytes, sizeof bytes) != 1) throw std::runtime_error("OpenSSL RAND_bytes failed");
    std::uint64_t value = 0;
    std::memcpy(&value, bytes, sizeof value);
    return value;
}

}  // namespace resound::crypto
