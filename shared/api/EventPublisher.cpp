#include "api/EventPublisher.h"

#include <memory>

#include "json/JsonText.h"
#include "pusher/ChannelName.h"
#include "websocket/FrameEncoder.h"

namespace resound::api {

std::string eventMessageJson(std::string_view event, std::string_view channel, std::string_view data) {
    std::string json;
    // Escaping rarely grows the text much; one reservation covers the common case.
    json.reserve(event.size() + channel.size() + data.size() + data.size() / 8 + 40);
    json.append("{\"event\":");
    json::appendQuoted(json, event);
    json.append(",\"channel\":");
    json::appendQuoted(json, channel);
    json.append(",\"data\":");
    json::appendQuoted(json, data);
    json.push_back('}');
    return json;
}

bool publishEvent(const config::AppConfig& app, state::ClusterState& state, bus::Bus& bus,
                  std::string_view event, const std::string& channel, std::string_view data,
                  std::string_view exceptSocketId) {
    const std::string json = eventMessageJson(event, channel, data);
    if (pusher::isCacheChannel(channel)) state.storeCachedEvent(app.id, channel, json, app.cacheTtlSeconds);

    auto message = std::make_shared<bus::BusMessage>();
    message->kind = bus::BusMessage::Kind::ChannelEvent;
    message->appId = app.id;
    message->channel = channel;
    message->exceptSocketId.assign(exceptSocketId);
    message->frame = std::make_shared<const std::string>(ws::encodeFrame(ws::Opcode::Text, json));
    return bus.publish(std::move(message));
}

}  // namespace resound::api
