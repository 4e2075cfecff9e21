#pragma once
// A message that crosses event loops (and, in Redis mode, processes). Immutable once built, so one
// instance is shared by every loop that delivers it.
#include <memory>
#include <string>

namespace resound::bus {

struct BusMessage {
    enum class Kind {
        ChannelEvent,   // deliver `frame` to every local subscriber of (appId, channel) but exceptSocketId
        TerminateUser,  // close every local connection signed in as userId on appId
    };
    Kind kind = Kind::ChannelEvent;
    std::string appId;
    std::string channel;
    std::string userId;
    std::string exceptSocketId;
    // The complete server->client WebSocket frame (header + JSON text), encoded once by the publisher.
    std::shared_ptr<const std::string> frame;
};

using BusMessagePtr = std::shared_ptr<const BusMessage>;

}  // namespace resound::bus
