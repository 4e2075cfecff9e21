#pragma once
// The bytes waiting to be written to one non-blocking socket: a FIFO of shared buffers (a broadcast
// frame or a response encoded once), written with sendmsg() over up to 64 of them per system call,
// resuming mid-buffer after a short write. Used by the edge's connections and the HTTP server's.
// Owned and touched by the connection's loop thread only.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace resound::httpserver {

class WriteQueue {
  public:
    using Bytes = std::shared_ptr<const std::string>;
    enum class Result : std::uint8_t {
        Flushed,  // everything written; the queue is empty
        Blocked,  // the socket buffer is full: wait for EPOLLOUT
        Failed,   // the peer is gone (EPIPE, ECONNRESET, ...): tear the connection down
    };

    void push(Bytes bytes);
    bool empty() const { return head_ == entries_.size(); }
    std::size_t bytes() const { return bytes_; }  // queued and not yet written

    // Writes until done, blocked or failed; adds the bytes written to `written`.
    Result writeTo(int fd, std::size_t& written);
    // Drops every buffer not yet started; a partly written one stays, since cutting it would corrupt
    // the stream (used before closing a slow consumer with a last message).
    void dropUnstarted();
    bool holdsStorage() const { return entries_.capacity() != 0; }  // false once drained

  private:
    struct Entry {
        Bytes bytes;
        std::uint32_t offset = 0;  // bytes of this buffer already written
    };
    void releaseIfDone();

    std::vector<Entry> entries_;
    std::size_t bytes_ = 0;
    std::uint32_t head_ = 0;  // first unwritten entry; last, so an owner may use the tail padding
};

}  // namespace resound::httpserver
