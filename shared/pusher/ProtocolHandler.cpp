#include "pusher/ProtocolHandler.h"

#include <spdlog/spdlog.h>

#include <charconv>
#include <chrono>
#include <memory>

#include "crypto/ChannelAuth.h"
#include "json/JsonText.h"
#include "pusher/ChannelName.h"
#include "pusher/ErrorCodes.h"
#include "pusher/EventName.h"
#include "pusher/Messages.h"
#include "pusher/OriginRule.h"
#include "pusher/SocketId.h"
#include "websocket/FrameEncoder.h"

namespace resound::pusher {

namespace {

SharedFrame textFrame(const std::string& json) {
    return std::make_shared<const std::string>(ws::encodeFrame(ws::Opcode::Text, json));
}

}  // namespace

ProtocolHandler::ProtocolHandler(Dependencies deps)
    : deps_(deps),
      ownLoopState_(deps.loopState ? nullptr
                                   : std::make_unique<state::SynchronousLoopClusterState>(deps.state)),
      loopState_(deps.loopState ? *deps.loopState : *ownLoopState_) {}

void ProtocolHandler::hold(Peer& peer) {
    Waiting& waiting = waiting_[peer.serial];
    waiting.peer = &peer;
    ++waiting.calls;
}

ProtocolHandler::Waiting* ProtocolHandler::waitingFor(std::uint32_t serial) {
    const auto it = waiting_.find(serial);
    return it == waiting_.end() ? nullptr : &it->second;
}

Peer* ProtocolHandler::release(std::uint32_t serial) {
    const auto it = waiting_.find(serial);
    if (it == waiting_.end()) return nullptr;  // closed() forgot it: the connection went
    Peer* peer = it->second.peer;
    if (--it->second.calls == 0) waiting_.erase(it);
    return peer;
}

Peer* ProtocolHandler::settle(std::uint32_t serial, const std::shared_ptr<PendingSubscribe>& ticket) {
    if (Waiting* waiting = waitingFor(serial)) std::erase(waiting->subscribes, ticket);
    Peer* peer = release(serial);
    return peer && peer->isOpen() && !ticket->cancelled ? peer : nullptr;
}

void ProtocolHandler::tapEmit(dashboard::DebugEvent::Kind kind, const Peer& peer, std::string channel,
                              std::string event, int code, std::string detail, std::size_t bytes) const {
    dashboard::DebugEvent debug;
    debug.kind = kind;
    debug.timeMs = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
    debug.appId = peer.app->id;
    debug.channel = std::move(channel);
    debug.event = std::move(event);
    debug.socketId = peer.socketId();
    debug.bytes = bytes;
    debug.code = code;
    debug.detail = std::move(detail);
    deps_.debugTap->emit(debug);
}

void ProtocolHandler::send(Peer& peer, const std::string& json) {
    deps_.transport.send(peer, textFrame(json));
}

void ProtocolHandler::reportError(Peer& peer, std::optional<std::uint16_t> code, std::string_view message) {
    if (code) deps_.metrics.countProtocolError(*code);
    send(peer, messages::error(code, message));
}

void ProtocolHandler::fail(Peer& peer, std::uint16_t code, std::string_view message) {
    reportError(peer, code, message);
    peer.noteClose(code, message, deps_.debugTap && deps_.debugTap->active());
    deps_.transport.close(peer, code, message);
}

bool ProtocolHandler::open(Peer& peer, std::string_view appKey, std::optional<std::string_view> protocol,
                           std::string_view origin) {
    peer.peerIndex = static_cast<std::uint32_t>(peers_.size());
    peers_.push_back(&peer);
    peer.lastActivity = now_;

    const config::AppConfig* app = deps_.apps.byKey(appKey);
    if (!app) {
        fail(peer, code::ApplicationDoesNotExist, "Application does not exist");
        return false;
    }
    if (!protocol) {
        fail(peer, code::NoProtocolVersion, "No protocol version supplied: add ?protocol=7");
        return false;
    }
    int version = 0;
    auto parsed = std::from_chars(protocol->data(), protocol->data() + protocol->size(), version);
    if (parsed.ec != std::errc() || parsed.ptr != protocol->data() + protocol->size()) {
        fail(peer, code::InvalidVersionString, "Invalid protocol version string");
        return false;
    }
    if (version < 5 || version > 7) {
        fail(peer, code::UnsupportedProtocolVersion, "Unsupported protocol version: use 7");
        return false;
    }
    if (!originAllowed(app->allowedOrigins, origin)) {  // pusher/OriginRule.h
        fail(peer, code::Unauthorized, "Origin not allowed");
        return false;
    }
    peer.serial = ++nextSerial_;
    if (app->maxConnections == 0) {
        // No quota to enforce: established at once; the cluster-wide count follows.
        loopState_.tryAddConnection(app->id, 0, [](bool) {});
        hold(peer);
        admitted(peer.serial, *app, true, std::string(origin));
        return true;
    }
    // Established once the cluster counted the connection (the app's quota is cluster-wide).
    hold(peer);
    loopState_.tryAddConnection(app->id, app->maxConnections,
                                [this, serial = peer.serial, app, origin = std::string(origin)](bool ok) {
                                    admitted(serial, *app, ok, origin);
                                });
    return true;
}

void ProtocolHandler::admitted(std::uint32_t serial, const config::AppConfig& app, bool admitted,
                               const std::string& origin) {
    std::vector<std::string> early;
    if (Waiting* waiting = waitingFor(serial)) early = std::move(waiting->early);
    Peer* found = release(serial);
    if (!found || found->closing) {
        if (admitted) loopState_.removeConnection(app.id);  // it went before the answer came
        return;
    }
    Peer& peer = *found;
    if (!admitted) {
        fail(peer, code::OverConnectionQuota, "Application is over its connection quota");
        return;
    }
    peer.countedInApp = true;
    peer.app = &app;
    const SocketId id = randomSocketId();
    peer.socketHigh = id.high;
    peer.socketLow = id.low;
    metrics::LoopCounters::add(deps_.counters.connections, 1);
    metrics::LoopCounters::add(deps_.counters.connectionsOpened);
    send(peer, messages::connectionEstablished(peer.socketId(), app.activityTimeoutSeconds));
    if (tapWants(app.id, "", "")) {
        tapEmit(dashboard::DebugEvent::Kind::Connected, peer, {}, {}, 0, dashboard::previewOf(origin));
    }
    for (const std::string& text : early) {
        if (!peer.isOpen()) break;  // one of them ended the connection
        onText(peer, text);
    }
}

void ProtocolHandler::keepEarly(Peer& peer, std::string_view text) {
    Waiting* waiting = peer.closing || peer.app ? nullptr : waitingFor(peer.serial);
    if (!waiting) return;  // refused, closing or gone: nothing more is read
    if (waiting->early.size() >= kMaxEarlyMessages || waiting->earlyBytes + text.size() > kMaxEarlyBytes) {
        fail(peer, code::OverCapacity, "Too many messages before the connection was established");
        return;
    }
    waiting->earlyBytes += text.size();
    waiting->early.emplace_back(text);
}

void ProtocolHandler::onActivity(Peer& peer) {
    peer.lastActivity = now_;
    peer.pingSentAt = 0;
}

void ProtocolHandler::onText(Peer& peer, std::string_view text) {
    if (!peer.isOpen()) {
        keepEarly(peer, text);
        return;
    }
    metrics::LoopCounters::add(deps_.counters.messagesIn);
    auto parsed = parseClientMessage(text);
    if (!parsed.message) {
        reportError(peer, code::ReconnectNow, "Invalid message format: " + parsed.error);
        return;
    }
    const ClientMessage& message = *parsed.message;
    const std::string& event = message.event;
    if (event == "pusher:ping") {
        send(peer, messages::pong());
    } else if (event == "pusher:pong") {
        // Liveness is already recorded by onActivity.
    } else if (event == "pusher:subscribe") {
        subscribe(peer, message);
    } else if (event == "pusher:unsubscribe") {
        unsubscribe(peer, message.dataChannel);
    } else if (event == "pusher:signin") {
        signin(peer, message);
    } else if (event.rfind("client-", 0) == 0) {
        clientEvent(peer, message);
    } else {
        reportError(peer, code::ReconnectNow, "Unsupported event: " + event);
    }
}

void ProtocolHandler::subscriptionError(Peer& peer, const std::string& channel, SubscriptionRefusal why,
                                        std::string_view error) {
    spdlog::debug("subscription refused app={} socket_id={} channel={} status={} reason={}", peer.app->id,
                  peer.socketId(), channel, why.status, error);
    if (why.status >= 4000) deps_.metrics.countProtocolError(static_cast<std::uint16_t>(why.status));
    send(peer, messages::subscriptionError(channel, why.type, error, why.status));
    // A refused name may be kilobytes long: the console matches and shows its first part only.
    if (tapWants(peer.app->id, std::string_view(channel).substr(0, dashboard::kMaxDetailBytes), "")) {
        tapEmit(dashboard::DebugEvent::Kind::SubscriptionError, peer, dashboard::previewOf(channel), {},
                why.status, std::string(why.type) + ": " + std::string(error));
    }
}

void ProtocolHandler::subscribe(Peer& peer, const ClientMessage& message) {
    const config::AppConfig& app = *peer.app;
    const std::string& channel = message.dataChannel;
    if (!isValidChannelName(channel)) {
        subscriptionError(peer, channel, refusal::InvalidChannel,
                          "Invalid channel name: up to 200 of A-Z a-z 0-9 _ - = @ , . ;");
        return;
    }
    if (LocalChannel* existing = channels_.find(app.id, channel)) {
        auto index = LocalChannels::indexOf(peer, existing);
        if (index < peer.subscriptions.size()) {
            // Pusher clients never subscribe twice; answer as if it were new, without side effects.
            if (kindOf(channel) == ChannelKind::Presence) {
                hold(peer);
                loopState_.presenceMembers(
                    app.id, channel,
                    [this, serial = peer.serial, channel](std::vector<state::PresenceMember> members) {
                        Peer* p = release(serial);
                        if (p && p->isOpen())
                            send(*p, messages::presenceSubscriptionSucceeded(channel, members));
                    });
            } else {
                send(peer, messages::subscriptionSucceeded(channel));
            }
            return;
        }
    }
    std::size_t pending = 0;
    if (Waiting* waiting = waitingFor(peer.serial)) {
        for (const auto& ticket : waiting->subscribes) {
            if (ticket->cancelled) continue;
            if (ticket->channel == channel) return;  // already being subscribed: that answer will come
            ++pending;
        }
    }
    if (app.maxChannelsPerConnection > 0 &&
        peer.subscriptions.size() + pending >= app.maxChannelsPerConnection) {
        subscriptionError(peer, channel, refusal::TooManyChannels, "Too many channels on this connection");
        return;
    }

    const ChannelKind kind = kindOf(channel);
    const std::string socketId = peer.socketId();
    std::optional<PresenceData> presence;
    switch (kind) {
        case ChannelKind::Public:
            break;
        case ChannelKind::Private:
        case ChannelKind::PrivateEncrypted:
            if (!crypto::verifyAuthString(message.auth, {app.key, app.secret},
                                          crypto::channelStringToSign(socketId, channel))) {
                subscriptionError(peer, channel, refusal::BadSignature,
                                  "Invalid signature for private channel");
                return;
            }
            break;
        case ChannelKind::Presence: {
            if (!crypto::verifyAuthString(
                    message.auth, {app.key, app.secret},
                    crypto::presenceStringToSign(socketId, channel, message.channelData))) {
                subscriptionError(peer, channel, refusal::BadSignature,
                                  "Invalid signature for presence channel");
                return;
            }
            std::string error;
            presence = parsePresenceData(message.channelData, error);
            if (!presence) {
                subscriptionError(peer, channel, refusal::BadChannelData, "Invalid channel_data: " + error);
                return;
            }
            if (app.maxUserInfoBytes > 0 && presence->infoJson.size() > app.maxUserInfoBytes) {
                subscriptionError(peer, channel, refusal::UserInfoTooLarge, "user_info is too large");
                return;
            }
            break;
        }
        case ChannelKind::ServerToUser: {
            auto owner = serverToUserId(channel);
            if (peer.userId().empty() || !owner || *owner != peer.userId()) {
                subscriptionError(peer, channel, refusal::NotThisUser,
                                  "Only the connection signed in as this user may subscribe");
                return;
            }
            break;
        }
    }

    // The subscribe waits for the bus (Redis confirmed the SUBSCRIBE, so the client told afterwards
    // gets every later event), then the cluster state (presence roster, then the subscription count);
    // meanwhile an unsubscribe cancels it and closing the connection forgets it. The pending subscribe
    // holds its own interest reference until it is settled.
    auto ticket = std::make_shared<PendingSubscribe>(PendingSubscribe{channel});
    hold(peer);
    waiting_[peer.serial].subscribes.push_back(ticket);
    std::shared_ptr<const state::PresenceMember> member;
    if (presence) {
        member = std::make_shared<const state::PresenceMember>(
            state::PresenceMember{presence->userKey, presence->idJson, presence->infoJson});
    }
    deps_.bus.addInterestThen(app.id, channel, [this, serial = peer.serial, ticket, &app, member] {
        if (!member) {
            subscribeAnswered(serial, ticket, app, nullptr, {});
            return;
        }
        loopState_.joinPresence(app.id, ticket->channel, *member, app.maxPresenceMembers,
                                [this, serial, ticket, &app, member](state::PresenceJoin join) {
                                    subscribeAnswered(serial, ticket, app, member, std::move(join));
                                });
    });
}

void ProtocolHandler::subscribeAnswered(std::uint32_t serial, const std::shared_ptr<PendingSubscribe>& ticket,
                                        const config::AppConfig& app,
                                        std::shared_ptr<const state::PresenceMember> member,
                                        state::PresenceJoin join) {
    const std::string& channel = ticket->channel;
    Waiting* waiting = waitingFor(serial);
    const bool wanted = waiting && waiting->peer->isOpen() && !ticket->cancelled;
    if (!wanted || (member && join.status == state::PresenceJoinStatus::RosterFull)) {
        Peer* peer = settle(serial, ticket);
        deps_.bus.removeInterest(app.id, channel);
        if (!member) return;
        if (join.status == state::PresenceJoinStatus::RosterFull) {
            if (peer) subscriptionError(*peer, channel, refusal::PresenceFull, "Presence channel is full");
            return;
        }
        // Joined in the cluster but never announced: leave without announcing either.
        loopState_.leavePresence(app.id, channel, member->userKey, [](bool) {});
        return;
    }
    loopState_.addSubscription(
        app.id, channel, [this, serial, ticket, &app, member, join = std::move(join)](std::size_t count) {
            subscribeCounted(serial, ticket, app, member, join, count);
        });
}

void ProtocolHandler::subscribeCounted(std::uint32_t serial, const std::shared_ptr<PendingSubscribe>& ticket,
                                       const config::AppConfig& app,
                                       const std::shared_ptr<const state::PresenceMember>& member,
                                       const state::PresenceJoin& join, std::size_t count) {
    const std::string channel = ticket->channel;
    if (count == 1) webhook(app, webhooks::WebhookEvent::Kind::ChannelOccupied, channel);
    Peer* found = settle(serial, ticket);
    if (!found) {
        // Counted for a connection that left or unsubscribed meanwhile: take it back (the vacated
        // webhook follows if it was the last), and the presence membership, never announced.
        loopState_.removeSubscription(app.id, channel, [this, &app, channel](std::size_t left) {
            if (left == 0) webhook(app, webhooks::WebhookEvent::Kind::ChannelVacated, channel);
        });
        if (member) loopState_.leavePresence(app.id, channel, member->userKey, [](bool) {});
        deps_.bus.removeInterest(app.id, channel);
        return;
    }
    Peer& peer = *found;
    bool created = false;
    channels_.subscribe(peer, app.id, channel, member, created);
    if (created) {
        metrics::LoopCounters::add(deps_.counters.localChannels, 1);
        deps_.bus.addInterest(app.id, channel);
    }
    deps_.bus.removeInterest(app.id, channel);  // the pending subscribe's reference

    if (member) {
        send(peer, messages::presenceSubscriptionSucceeded(channel, join.members));
        if (join.status == state::PresenceJoinStatus::Joined) {
            publish(app, channel, messages::memberAdded(channel, *member), peer.socketId());
            webhook(app, webhooks::WebhookEvent::Kind::MemberAdded, channel, member->userKey);
        }
    } else {
        send(peer, messages::subscriptionSucceeded(channel));
        publishSubscriptionCount(app, channel, count);
    }
    if (tapWants(app.id, channel, "")) {
        tapEmit(dashboard::DebugEvent::Kind::Subscribed, peer, channel, {}, 0,
                member ? "user " + member->userKey : std::string());
    }

    if (isCacheChannel(channel)) {
        hold(peer);
        loopState_.cachedEvent(app.id, channel,
                               [this, serial, &app, channel](std::optional<state::CachedEvent> cached) {
                                   Peer* p = release(serial);
                                   if (!p || !p->isOpen()) return;
                                   if (cached) {
                                       send(*p, cached->eventJson);
                                   } else {
                                       send(*p, messages::cacheMiss(channel));
                                       webhook(app, webhooks::WebhookEvent::Kind::CacheMiss, channel);
                                   }
                               });
    }
}

void ProtocolHandler::unsubscribe(Peer& peer, const std::string& channel) {
    if (Waiting* waiting = waitingFor(peer.serial)) {
        for (const auto& ticket : waiting->subscribes) {
            if (ticket->channel == channel) ticket->cancelled = true;  // its answer undoes it
        }
    }
    LocalChannel* local = channels_.find(peer.app->id, channel);
    if (!local) return;
    auto index = LocalChannels::indexOf(peer, local);
    if (index < peer.subscriptions.size()) leave(peer, index);
}

void ProtocolHandler::leave(Peer& peer, std::size_t subscriptionIndex) {
    const config::AppConfig& app = *peer.app;
    std::string appId, channel;
    std::shared_ptr<const state::PresenceMember> presence;
    if (channels_.unsubscribe(peer, subscriptionIndex, appId, channel, presence)) {
        metrics::LoopCounters::add(deps_.counters.localChannels, -1);
        deps_.bus.removeInterest(appId, channel);
    }
    // Answered in this order: the count, then the presence membership.
    loopState_.removeSubscription(appId, channel, [this, &app, channel, presence](std::size_t count) {
        if (count == 0) webhook(app, webhooks::WebhookEvent::Kind::ChannelVacated, channel);
        if (!presence) publishSubscriptionCount(app, channel, count);
    });
    if (presence) {
        loopState_.leavePresence(
            appId, channel, presence->userKey, [this, &app, channel, presence](bool last) {
                if (!last) return;
                publish(app, channel, messages::memberRemoved(channel, *presence));
                webhook(app, webhooks::WebhookEvent::Kind::MemberRemoved, channel, presence->userKey);
            });
    }
    if (tapWants(appId, channel, ""))
        tapEmit(dashboard::DebugEvent::Kind::Unsubscribed, peer, channel, {}, 0, {});
}

void ProtocolHandler::signin(Peer& peer, const ClientMessage& message) {
    const config::AppConfig& app = *peer.app;
    if (!app.userAuthentication) {
        reportError(peer, code::Unauthorized, "User authentication is disabled for this app");
        return;
    }
    if (!crypto::verifyAuthString(message.auth, {app.key, app.secret},
                                  crypto::userSigninStringToSign(peer.socketId(), message.userData))) {
        reportError(peer, code::Unauthorized, "Invalid signature for pusher:signin");
        return;
    }
    std::string error;
    auto id = parseSigninUserId(message.userData, error);
    if (!id) {
        reportError(peer, code::Unauthorized, "Invalid user_data: " + error);
        return;
    }
    if (!peer.userId().empty() && peer.userId() != *id) {
        reportError(peer, code::Unauthorized, "Connection is already signed in as another user");
        return;
    }
    peer.setUserId(*id);
    send(peer, messages::signinSuccess(message.userData));
}

void ProtocolHandler::clientEvent(Peer& peer, const ClientMessage& message) {
    const config::AppConfig& app = *peer.app;
    const std::string& channel = message.channel;
    if (app.clientEvents == config::ClientEventsPolicy::None) {
        reportError(peer, code::ClientEventRejected, "Client events are disabled for this app");
        return;
    }
    const ChannelKind kind = kindOf(channel);
    if (kind != ChannelKind::Private && kind != ChannelKind::PrivateEncrypted &&
        kind != ChannelKind::Presence) {
        reportError(peer, code::ClientEventRejected,
                    "Client events are only allowed on private and presence channels");
        return;
    }
    LocalChannel* local = channels_.find(app.id, channel);
    auto index = local ? LocalChannels::indexOf(peer, local) : peer.subscriptions.size();
    if (index >= peer.subscriptions.size()) {
        reportError(peer, code::Unauthorized, "The client is not a member of the specified channel");
        return;
    }
    if (!eventNameWithinLimit(message.event)) {
        reportError(peer, code::ClientEventRejected, "Client event name is longer than 200 characters");
        return;
    }
    if (app.clientEventRateLimit > 0) {
        if (peer.rateWindowStart != now_) {
            peer.rateWindowStart = now_;
            peer.rateWindowCount = 0;
        }
        if (peer.rateWindowCount >= app.clientEventRateLimit) {
            metrics::LoopCounters::add(deps_.counters.rateLimitHits);
            reportError(peer, code::ClientEventRejected, "Client event rejected due to rate limit");
            return;
        }
        ++peer.rateWindowCount;
    }
    metrics::LoopCounters::add(deps_.counters.clientEvents);
    const auto& presence = peer.subscriptions[index].presence;
    const std::string userKey = presence ? presence->userKey : std::string();
    const std::string dataJson = message.dataJson.empty() ? std::string("null") : message.dataJson;
    const std::string socketId = peer.socketId();
    publish(app, channel, messages::channelEvent(message.event, channel, dataJson, userKey), socketId);
    if (tapWants(app.id, channel, message.event)) {
        tapEmit(dashboard::DebugEvent::Kind::ClientEvent, peer, channel, message.event, 0,
                dashboard::previewOf(dataJson), dataJson.size());
    }
    if (deps_.webhooks) {
        webhooks::WebhookEvent event;
        event.kind = webhooks::WebhookEvent::Kind::ClientEvent;
        event.channel = channel;
        event.userId = userKey;
        event.event = message.event;
        event.dataJson = dataJson;
        event.socketId = socketId;
        deps_.webhooks->emit(app, std::move(event));
    }
}

void ProtocolHandler::publish(const config::AppConfig& app, const std::string& channel,
                              const std::string& json, std::string exceptSocketId) {
    auto message = std::make_shared<bus::BusMessage>();
    message->kind = bus::BusMessage::Kind::ChannelEvent;
    message->appId = app.id;
    message->channel = channel;
    message->exceptSocketId = std::move(exceptSocketId);
    message->frame = textFrame(json);
    if (!deps_.bus.publish(std::move(message))) {
        spdlog::warn("bus refused a message app={} channel={}", app.id, channel);
    }
}

void ProtocolHandler::webhook(const config::AppConfig& app, webhooks::WebhookEvent::Kind kind,
                              const std::string& channel, std::string userId) {
    if (!deps_.webhooks) return;
    webhooks::WebhookEvent event;
    event.kind = kind;
    event.channel = channel;
    event.userId = std::move(userId);
    deps_.webhooks->emit(app, std::move(event));
}

void ProtocolHandler::publishSubscriptionCount(const config::AppConfig& app, const std::string& channel,
                                               std::size_t count) {
    if (deps_.webhooks && count > 0) {
        webhooks::WebhookEvent event;
        event.kind = webhooks::WebhookEvent::Kind::SubscriptionCount;
        event.channel = channel;
        event.subscriptionCount = count;
        deps_.webhooks->emit(app, std::move(event));
    }
    // Pusher throttles counts on channels over 100 subscribers; we stop sending them there instead.
    if (!app.subscriptionCountEvents || count > 100) return;
    publish(app, channel, messages::subscriptionCount(channel, count));
}

void ProtocolHandler::deliver(const bus::BusMessage& message) {
    if (message.kind == bus::BusMessage::Kind::TerminateUser) {
        terminateUser(message.appId, message.userId);
        return;
    }
    LocalChannel* channel = channels_.find(message.appId, message.channel);
    if (!channel) return;
    const std::optional<SocketId> except =
        message.exceptSocketId.empty() ? std::nullopt : parseSocketId(message.exceptSocketId);
    std::uint64_t sent = 0;
    for (Peer* peer : channel->subscribers) {
        if (peer->closing) continue;
        if (except && peer->socketHigh == except->high && peer->socketLow == except->low) continue;
        deps_.transport.send(*peer, message.frame);
        ++sent;
    }
    metrics::LoopCounters::add(deps_.counters.messagesOut, sent);
}

// Scope, a deliberate choice (docs/protocol.md §1.12): connections signed in as the user (Pusher's
// meaning) and connections in a presence channel as that user id (Reverb's), since the app vouched
// for both identities; an app that bans a user wants every socket speaking as them gone.
void ProtocolHandler::terminateUser(const std::string& appId, const std::string& userId) {
    for (Peer* peer : peers_) {
        if (!peer->isOpen() || peer->app->id != appId) continue;
        bool match = peer->userId() == userId;
        for (const auto& sub : peer->subscriptions)
            match = match || (sub.presence && sub.presence->userKey == userId);
        if (match) fail(*peer, code::Unauthorized, "You got disconnected by the app.");
    }
}

void ProtocolHandler::tick() {
    for (Peer* peer : peers_) {
        if (!peer->isOpen()) continue;
        const config::AppConfig& app = *peer->app;
        if (peer->pingSentAt != 0) {
            if (now_ - peer->pingSentAt >= static_cast<std::uint32_t>(app.pongTimeoutSeconds)) {
                fail(*peer, code::PongNotReceived, "Pong reply not received in time");
            }
        } else if (now_ - peer->lastActivity >= static_cast<std::uint32_t>(app.pingIntervalSeconds)) {
            peer->pingSentAt = now_ == 0 ? 1 : now_;
            send(*peer, messages::ping());
        }
    }
}

void ProtocolHandler::closeAll(std::uint16_t closeCode, std::string_view reason) {
    for (Peer* peer : peers_) {
        // Connections still waiting for their admission are closed too (the answer then gives back
        // the slot instead of establishing them).
        if (!peer->closing) fail(*peer, closeCode, reason);
    }
}

void ProtocolHandler::detach(Peer& peer) {
    Peer* last = peers_.back();
    peers_[peer.peerIndex] = last;
    last->peerIndex = peer.peerIndex;
    peers_.pop_back();
}

void ProtocolHandler::closed(Peer& peer) {
    if (peer.app) {
        if (tapWants(peer.app->id, "", "")) {
            tapEmit(dashboard::DebugEvent::Kind::Disconnected, peer, {}, {}, peer.closeCode,
                    peer.closeCode == 0 ? std::string("connection ended without a close frame")
                                        : dashboard::previewOf(peer.closeReason()));
        }
        while (!peer.subscriptions.empty()) leave(peer, peer.subscriptions.size() - 1);
        metrics::LoopCounters::add(deps_.counters.connections, -1);
        metrics::LoopCounters::add(deps_.counters.connectionsClosed);
    }
    if (peer.countedInApp) {
        loopState_.removeConnection(peer.app->id);
        peer.countedInApp = false;
    }
    waiting_.erase(peer.serial);  // answers still to come find the connection gone
    detach(peer);
    peer.app = nullptr;
}

}  // namespace resound::pusher
