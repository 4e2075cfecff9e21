#pragma once
// What one edge connection still has to write, and the rules around it: bytes leave in the order they
// were queued, over as few sendmsg() calls as the socket takes, resuming mid-frame after a short write
// (httpserver::WriteQueue); a full socket buffer parks the queue until EPOLLOUT; protocol traffic is
// refused once it would take the queue past the per-connection cap (the caller then closes the slow
// consumer); and a connection that is closing is half-closed once its last bytes are written.
// Owned and touched by the connection's loop thread only.
#include <cstddef>
#include <cstdint>

#include "httpserver/WriteQueue.h"

namespace resound::edge {

class SendQueue {
  public:
    using Bytes = httpserver::WriteQueue::Bytes;
    enum class Outcome : std::uint8_t {
        Drained,     // everything written
        Blocked,     // the socket buffer is full: write again on EPOLLOUT
        Failed,      // the peer is gone: tear the connection down
        HalfClosed,  // everything written, and then the write side shut (closeWhenDrained())
    };

    // An answer the peer is waiting for (HTTP response, handshake, close frame): always queued.
    void pushAnswer(Bytes bytes) { queue_.push(std::move(bytes)); }
    // Protocol traffic (broadcasts, Pusher replies, pongs): queued unless the queue would then hold
    // more than `limit` bytes. False: a slow consumer, nothing was queued.
    [[nodiscard]] bool offer(Bytes bytes, std::size_t limit);
    // Before closing a slow consumer with a last frame: drops every frame not yet started; a partly
    // written one stays, since cutting it would corrupt the stream.
    void dropUnsent() { queue_.dropUnstarted(); }
    // Once everything queued (now or later) is written, shut the write side down so the peer reads it
    // all before EOF; waiting for the peer's EOF then keeps unread input from turning our close into a
    // reset that would destroy the last bytes.
    void closeWhenDrained() { closeWhenDrained_ = true; }

    // Writes until drained, blocked or failed; adds the bytes written to `written`.
    Outcome flushTo(int fd, std::size_t& written);

    bool empty() const { return queue_.empty(); }
    std::size_t bytes() const { return queue_.bytes(); }  // queued, not yet written
    // The last flush found the socket buffer full: EPOLLOUT, not the loop's flush list, writes next.
    bool blocked() const { return blocked_; }

  private:
    // The flags live in the WriteQueue's tail padding (no_unique_address lets them): every connection
    // has a SendQueue, so it stays the size of the WriteQueue.
    [[no_unique_address]] httpserver::WriteQueue queue_;
    bool blocked_ = false;
    bool closeWhenDrained_ = false;
};

static_assert(sizeof(SendQueue) == sizeof(httpserver::WriteQueue), "SendQueue's flags fit in padding");

}  // namespace resound::edge
