#pragma once
// The Pusher protocol for the connections of one event loop: admission, pusher:* events, channel
// subscriptions with auth, presence, cache channels, sign-in, client events, heartbeats, and delivery of
// bus messages to local subscribers. Knows no sockets: it talks to a PeerTransport, so tests drive it
// with a fake one. Loop thread only.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "apps/AppRegistry.h"
#include "bus/Bus.h"
#include "dashboard/DebugTap.h"
#include "metrics/Metrics.h"
#include "pusher/ClientMessage.h"
#include "pusher/LocalChannels.h"
#include "pusher/Peer.h"
#include "pusher/PeerTransport.h"
#include "pusher/SubscriptionRefusal.h"
#include "state/ClusterState.h"
#include "state/LoopClusterState.h"
#include "webhooks/WebhookSink.h"

namespace resound::pusher {

class ProtocolHandler {
  public:
    struct Dependencies {
        const apps::AppRegistry& apps;
        state::ClusterState& state;
        bus::Bus& bus;
        PeerTransport& transport;
        metrics::Metrics& metrics;
        metrics::LoopCounters& counters;
        webhooks::WebhookSink* webhooks = nullptr;  // optional
        dashboard::DebugTap* debugTap = nullptr;    // optional: the debug console's events
        // How this loop changes the cluster state: answers may come later (Redis mode). Null: `state`,
        // answered at once.
        state::LoopClusterState* loopState = nullptr;
    };

    explicit ProtocolHandler(Dependencies deps);

    // Loop seconds (monotonic, coarse); the owner advances it once per loop iteration or tick.
    void setNow(std::uint32_t seconds) { now_ = seconds; }
    std::uint32_t now() const { return now_; }

    // After the WebSocket handshake: admission checks, then pusher:connection_established. Every peer
    // given to open() must later be given to closed(), accepted or not. Returns false if rejected (an
    // error was sent and a close requested).
    bool open(Peer& peer, std::string_view appKey, std::optional<std::string_view> protocol,
              std::string_view origin);
    void onText(Peer& peer, std::string_view text);
    void onActivity(Peer& peer);  // any frame received
    void closed(Peer& peer);      // the connection is gone: leave every channel, release quotas

    void deliver(const bus::BusMessage& message);
    void tick();  // server pings and pong deadlines; call about once per second
    // Close every open peer (graceful shutdown uses 4200 so clients reconnect at once).
    void closeAll(std::uint16_t code, std::string_view reason);

    const std::vector<Peer*>& peers() const { return peers_; }
    std::size_t localChannelCount() const { return channels_.channelCount(); }

  private:
    void send(Peer& peer, const std::string& json);
    void fail(Peer& peer, std::uint16_t code, std::string_view message);  // pusher:error + close
    void reportError(Peer& peer, std::optional<std::uint16_t> code, std::string_view message);

    void subscribe(Peer& peer, const ClientMessage& message);
    void unsubscribe(Peer& peer, const std::string& channel);
    void leave(Peer& peer, std::size_t subscriptionIndex);
    void signin(Peer& peer, const ClientMessage& message);
    void clientEvent(Peer& peer, const ClientMessage& message);
    void publish(const config::AppConfig& app, const std::string& channel, const std::string& json,
                 std::string exceptSocketId = {});
    void publishSubscriptionCount(const config::AppConfig& app, const std::string& channel,
                                  std::size_t count);
    void subscriptionError(Peer& peer, const std::string& channel, SubscriptionRefusal why,
                           std::string_view error);
    void terminateUser(const std::string& appId, const std::string& userId);
    void detach(Peer& peer);

    // Answers of the cluster state may arrive after the connection went (Redis mode): each call that
    // needs one holds the peer's serial here, and the answer finds the peer (or learns it is gone).
    struct PendingSubscribe {
        std::string channel;
        bool cancelled = false;  // unsubscribed before the answer came
    };
    struct Waiting {
        Peer* peer = nullptr;
        std::uint32_t calls = 0;
        std::vector<std::shared_ptr<PendingSubscribe>> subscribes;
        // Messages that arrived while the connection waited for its admission (an app with a
        // connection quota asks the cluster first): handled in order once it is established.
        std::vector<std::string> early;
        std::size_t earlyBytes = 0;
    };
    // While a connection waits for its admission it may send this much; more closes it with 4100.
    static constexpr std::size_t kMaxEarlyMessages = 100;
    static constexpr std::size_t kMaxEarlyBytes = 64 * 1024;
    void keepEarly(Peer& peer, std::string_view text);
    void hold(Peer& peer);
    Peer* release(std::uint32_t serial);  // the peer, or null if it went meanwhile
    Waiting* waitingFor(std::uint32_t serial);
    void admitted(std::uint32_t serial, const config::AppConfig& app, bool admitted,
                  const std::string& origin);
    void subscribeAnswered(std::uint32_t serial, const std::shared_ptr<PendingSubscribe>& ticket,
                           const config::AppConfig& app, std::shared_ptr<const state::PresenceMember> member,
                           state::PresenceJoin join);
    void subscribeCounted(std::uint32_t serial, const std::shared_ptr<PendingSubscribe>& ticket,
                          const config::AppConfig& app,
                          const std::shared_ptr<const state::PresenceMember>& member,
                          const state::PresenceJoin& join, std::size_t count);
    // The peer of a finished subscribe if it still wants the channel; drops the ticket either way.
    Peer* settle(std::uint32_t serial, const std::shared_ptr<PendingSubscribe>& ticket);
    // The debug console: true when a watch takes this (app, channel, event); build nothing before.
    bool tapWants(std::string_view appId, std::string_view channel, std::string_view event) const {
        return deps_.debugTap && deps_.debugTap->wants(appId, channel, event);
    }
    void tapEmit(dashboard::DebugEvent::Kind kind, const Peer& peer, std::string channel, std::string event,
                 int code, std::string detail, std::size_t bytes = 0) const;
    void webhook(const config::AppConfig& app, webhooks::WebhookEvent::Kind kind, const std::string& channel,
                 std::string userId = {});

    Dependencies deps_;
    std::unique_ptr<state::LoopClusterState> ownLoopState_;  // when deps_.loopState is null
    state::LoopClusterState& loopState_;
    std::unordered_map<std::uint32_t, Waiting> waiting_;
    std::uint32_t nextSerial_ = 0;
    LocalChannels channels_;
    std::vector<Peer*> peers_;
    std::uint32_t now_ = 0;
};

}  // namespace resound::pusher
