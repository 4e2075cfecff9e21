#include "redis/TransitionAnnouncer.h"

#include <spdlog/spdlog.h>

#include "pusher/Messages.h"
#include "websocket/FrameEncoder.h"

namespace resound::redis {

TransitionAnnouncer::TransitionAnnouncer(bus::Bus& bus, const std::vector<config::AppConfig>& apps,
                                         webhooks::WebhookSink* webhooks)
    : bus_(bus), webhooks_(webhooks) {
    for (const auto& app : apps) apps_.emplace(app.id, app);
}

bool TransitionAnnouncer::publish(const std::string& appId, const std::string& channel,
                                  const std::string& json) {
    auto message = std::make_shared<bus::BusMessage>();
    message->kind = bus::BusMessage::Kind::ChannelEvent;
    message->appId = appId;
    message->channel = channel;
    message->frame = std::make_shared<const std::string>(ws::encodeFrame(ws::Opcode::Text, json));
    if (bus_.publish(std::move(message))) return true;
    spdlog::warn("bus refused a presence update app={} channel={}", appId, channel);
    return false;
}

void TransitionAnnouncer::webhook(const std::string& appId, webhooks::WebhookEvent::Kind kind,
                                  const std::string& channel, const std::string& userId) {
    if (!webhooks_) return;
    const auto app = apps_.find(appId);
    if (app == apps_.end()) return;
    webhooks::WebhookEvent event;
    event.kind = kind;
    event.channel = channel;
    event.userId = userId;
    webhooks_->emit(app->second, std::move(event));
}

std::size_t TransitionAnnouncer::announce(const ClusterTransitions& t) {
    using Kind = webhooks::WebhookEvent::Kind;
    std::size_t refused = 0;
    for (const auto& c : t.occupied) webhook(c.appId, Kind::ChannelOccupied, c.channel, {});
    for (const auto& m : t.joined) {
        if (!publish(m.appId, m.channel, pusher::messages::memberAdded(m.channel, m.member))) ++refused;
        webhook(m.appId, Kind::MemberAdded, m.channel, m.member.userKey);
    }
    for (const auto& m : t.left) {
        if (!publish(m.appId, m.channel, pusher::messages::memberRemoved(m.channel, m.member))) ++refused;
        webhook(m.appId, Kind::MemberRemoved, m.channel, m.member.userKey);
    }
    for (const auto& c : t.vacated) webhook(c.appId, Kind::ChannelVacated, c.channel, {});
    return refused;
}

}  // namespace resound::redis
