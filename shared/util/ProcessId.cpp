#include "util/ProcessId.h"

#include <unistd.h>

#include <charconv>

#include "crypto/Random.h"

namespace resound::util {

std::string uniqueProcessId(std::string_view fallback) {
    char host[256] = {};
    if (::gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
    std::string id;
    for (const char* p = host; *p; ++p) {
        const char c = *p;
        const bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                          c == '-' || c == '.' || c == '_';
        id += keep ? c : '_';
    }
    if (id.empty()) id = fallback;
    char random[16];
    const auto end = std::to_chars(random, random + sizeof random, crypto::randomUint64() & 0xffffff, 16).ptr;
    return id + "-" + std::to_string(::getpid()) + "-" + std::string(random, end);
}

}  // namespace resound::util
