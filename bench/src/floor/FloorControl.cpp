#include "FloorControl.h"

#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "Clock.h"

namespace resound::bench {

void FloorMessage::setError(const std::string& text) {
    const std::size_t n = std::min(text.size(), sizeof error - 1);
    std::memcpy(error, text.data(), n);
    error[n] = '\0';
    ok = 0;
}

bool sendFloorMessage(int fd, const FloorMessage& message) {
    const char* bytes = reinterpret_cast<const char*>(&message);
    std::size_t done = 0;
    while (done < sizeof message) {
        const ssize_t n = ::write(fd, bytes + done, sizeof message - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        done += static_cast<std::size_t>(n);
    }
    return true;
}

bool receiveFloorMessage(int fd, FloorMessage& message, std::int64_t deadlineNs) {
    char* bytes = reinterpret_cast<char*>(&message);
    std::size_t done = 0;
    while (done < sizeof message) {
        const std::int64_t left = deadlineNs - monotonicNs();
        if (left <= 0) return false;
        pollfd p{fd, POLLIN, 0};
        const int ready = ::poll(&p, 1, static_cast<int>(std::min<std::int64_t>(left / kNsPerMs + 1, 1000)));
        if (ready < 0 && errno != EINTR) return false;
        if (ready <= 0) continue;
        const ssize_t n = ::read(fd, bytes + done, sizeof message - done);
        if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
        if (n <= 0) return false;
        done += static_cast<std::size_t>(n);
    }
    message.error[sizeof message.error - 1] = '\0';
    return true;
}

}  // namespace resound::bench
