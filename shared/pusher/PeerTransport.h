#pragma once
// What the protocol needs from the network side: queue a frame, and close a connection. Both only
// request: the close completes later, outside the caller's stack, so the protocol can close peers while
// iterating a channel's subscribers.
#include <cstdint>
#include <string_view>

#include "pusher/Peer.h"
#include "pusher/SharedFrame.h"

namespace resound::pusher {

class PeerTransport {
  public:
    virtual ~PeerTransport() = default;
    virtual void send(Peer& peer, const SharedFrame& frame) = 0;
    // Sends a WebSocket close frame with `code`, then ends the connection. Marks peer.closing.
    virtual void close(Peer& peer, std::uint16_t code, std::string_view reason) = 0;
};

}  // namespace resound::pusher
