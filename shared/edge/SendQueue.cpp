#include "edge/SendQueue.h"

#include <sys/socket.h>

namespace resound::edge {

bool SendQueue::offer(Bytes bytes, std::size_t limit) {
    if (queue_.bytes() + bytes->size() > limit) return false;
    queue_.push(std::move(bytes));
    return true;
}

SendQueue::Outcome SendQueue::flushTo(int fd, std::size_t& written) {
    switch (queue_.writeTo(fd, written)) {
        case httpserver::WriteQueue::Result::Failed:
            return Outcome::Failed;
        case httpserver::WriteQueue::Result::Blocked:
            blocked_ = true;
            return Outcome::Blocked;
        case httpserver::WriteQueue::Result::Flushed:
            break;
    }
    blocked_ = false;
    if (!closeWhenDrained_) return Outcome::Drained;
    closeWhenDrained_ = false;
    ::shutdown(fd, SHUT_WR);
    return Outcome::HalfClosed;
}

}  // namespace resound::edge
