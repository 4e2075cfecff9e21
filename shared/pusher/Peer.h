#pragma once
// The Pusher-protocol state of one WebSocket connection. The edge's Connection derives from it; unit
// tests use it directly. Owned and touched only by its event loop's thread.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "config/Config.h"
#include "pusher/SocketId.h"
#include "state/ClusterState.h"

namespace resound::pusher {

struct LocalChannel;

struct Subscription {
    LocalChannel* channel = nullptr;
    std::uint32_t slot = 0;       // index of this peer in channel->subscribers
    // Presence channels only: who this connection joined as (kept whole so the membership can be
    // announced on leave and registered again after a cluster-state resync).
    std::shared_ptr<const state::PresenceMember> presence;
};

class Peer {
public:
    virtual ~Peer() = default;

    std::string socketId() const { return toString(SocketId{socketHigh, socketLow}); }
    bool isOpen() const { return app != nullptr && !closing; }
    // Records the first close sent or echoed, for the debug console's disconnect row; the reason text
    // is copied only when `keepReason` (a console watches), so an unwatched close allocates nothing.
    void noteClose(std::uint16_t code, std::string_view reason, bool keepReason) {
        if (closeCode != 0) return;
        closeCode = code;
        if (keepReason) closeReason.assign(reason);
    }

    const config::AppConfig* app = nullptr;  // set once the connection is established
    std::uint32_t socketHigh = 0;
    std::uint32_t socketLow = 0;
    std::uint32_t peerIndex = 0;             // position in ProtocolHandler's peer list
    std::uint32_t lastActivity = 0;          // loop seconds of the last frame received
    std::uint32_t pingSentAt = 0;            // 0 = no ping outstanding
    std::uint32_t rateWindowStart = 0;       // client-event rate limit: a fixed 1 s window
    std::uint16_t rateWindowCount = 0;
    std::uint16_t closeCode = 0;             // the first close code sent or echoed (0: none, the peer just left)
    bool closing = false;                    // a close was requested: send nothing more
    bool countedInApp = false;               // holds one of the app's connection slots
    std::uint32_t serial = 0;                // ProtocolHandler's id for answers that arrive later
    std::string userId;                      // set by pusher:signin
    std::string closeReason;                 // why it was closed; kept only while a debug console watches
    std::vector<Subscription> subscriptions;
};

}  // namespace resound::pusher
