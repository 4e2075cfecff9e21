#include "httpserver/WriteQueue.h"

#include <sys/socket.h>
#include <sys/uio.h>

#include <cerrno>

namespace resound::httpserver {
namespace {
constexpr int kIovBatch = 64;
}

void WriteQueue::push(Bytes bytes) {
    if (!bytes || bytes->empty()) return;
    // Room for a few at once: frames queued while a connection waits for its flush come in bursts.
    if (entries_.capacity() == 0) entries_.reserve(4);
    bytes_ += bytes->size();
    entries_.push_back(Entry{std::move(bytes), 0});
}

WriteQueue::Result WriteQueue::writeTo(int fd, std::size_t& written) {
    iovec iov[kIovBatch];
    while (head_ < entries_.size()) {
        int count = 0;
        for (std::size_t i = head_; i < entries_.size() && count < kIovBatch; ++i, ++count) {
            const Entry& entry = entries_[i];
            iov[count].iov_base = const_cast<char*>(entry.bytes->data()) + entry.offset;
            iov[count].iov_len = entry.bytes->size() - entry.offset;
        }
        msghdr message{};
        message.msg_iov = iov;
        message.msg_iovlen = static_cast<std::size_t>(count);
        const ssize_t n = ::sendmsg(fd, &message, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) return Result::Blocked;
            return Result::Failed;
        }
        auto left = static_cast<std::size_t>(n);
        written += left;
        bytes_ -= left;
        while (left > 0) {
            Entry& entry = entries_[head_];
            const std::size_t remaining = entry.bytes->size() - entry.offset;
            if (left >= remaining) {
                left -= remaining;
                entry.bytes.reset();
                ++head_;
            } else {
                entry.offset += static_cast<std::uint32_t>(left);
                left = 0;
            }
        }
    }
    releaseIfDone();
    return Result::Flushed;
}

void WriteQueue::dropUnstarted() {
    const std::size_t keep = head_ < entries_.size() && entries_[head_].offset > 0 ? head_ + 1 : head_;
    entries_.resize(keep);
    bytes_ = 0;
    for (std::size_t i = head_; i < entries_.size(); ++i)
        bytes_ += entries_[i].bytes->size() - entries_[i].offset;
    releaseIfDone();
}

void WriteQueue::releaseIfDone() {
    if (head_ != entries_.size()) return;
    // A drained queue keeps no storage. Keeping a small one for the next message would save a
    // malloc/free pair per flush (tens of nanoseconds next to a sendmsg's microseconds), but idle
    // connections, most of them, would each hold it, and freed later it leaves holes in the heap
    // between live connections instead of being reused at once (bench/README.md, "Memory per
    // connection").
    std::vector<Entry>().swap(entries_);
    head_ = 0;
    bytes_ = 0;
}

}  // namespace resound::httpserver
