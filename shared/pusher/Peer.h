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
    std::uint32_t slot = 0;  // index of this peer in channel->subscribers
    // Presence channels only: who this connection joined as (kept whole so the membership can be
    // announced on leave and registered again after a cluster-state resync).
    std::shared_ptr<const state::PresenceMember> presence;
};

// Not polymorphic: a connection type derives from it, and nothing deletes one through a Peer* (a
// virtual destructor would cost every connection a vtable pointer).
class Peer {
  public:
    std::string socketId() const { return toString(SocketId{socketHigh, socketLow}); }
    bool isOpen() const { return app != nullptr && !closing; }
    // Records the first close sent or echoed, for the debug console's disconnect row; the reason text
    // is copied only when `keepReason` (a console watches), so an unwatched close allocates nothing.
    void noteClose(std::uint16_t code, std::string_view reason, bool keepReason) {
        if (closeCode != 0) return;
        closeCode = code;
        if (keepReason) rare().closeReason.assign(reason);
    }
    // Set by pusher:signin; empty when not signed in.
    const std::string& userId() const { return rare_ ? rare_->userId : noText(); }
    void setUserId(std::string id) { rare().userId = std::move(id); }
    // Why it was closed; kept only while a debug console watches (noteClose).
    const std::string& closeReason() const { return rare_ ? rare_->closeReason : noText(); }

    const config::AppConfig* app = nullptr;  // set once the connection is established
    std::uint32_t socketHigh = 0;
    std::uint32_t socketLow = 0;
    std::uint32_t peerIndex = 0;        // position in ProtocolHandler's peer list
    std::uint32_t lastActivity = 0;     // loop seconds of the last frame received
    std::uint32_t pingSentAt = 0;       // 0 = no ping outstanding
    std::uint32_t rateWindowStart = 0;  // client-event rate limit: a fixed 1 s window
    std::uint16_t rateWindowCount = 0;
    std::uint16_t closeCode = 0;  // the first close code sent or echoed (0: none, the peer just left)
    bool closing = false;         // a close was requested: send nothing more
    bool countedInApp = false;    // holds one of the app's connection slots
    std::uint32_t serial = 0;     // ProtocolHandler's id for answers that arrive later
    std::vector<Subscription> subscriptions;

  private:
    // What most connections never have (a signed-in user, a close reason a console watched): one
    // pointer, allocated on first use, instead of two strings in every connection.
    struct Rare {
        std::string userId;
        std::string closeReason;
    };
    Rare& rare() {
        if (!rare_) rare_ = std::make_unique<Rare>();
        return *rare_;
    }
    static const std::string& noText() {
        static const std::string empty;
        return empty;
    }
    std::unique_ptr<Rare> rare_;
};

}  // namespace resound::pusher
