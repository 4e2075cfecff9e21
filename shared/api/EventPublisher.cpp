#include "api/EventPublisher.h"

#include <memory>

#include "json/JsonText.h"
#include "pusher/ChannelName.h"
#include "websocket/FrameEncoder.h"

namespace resound::api {

QuotedEvent quoteEvent(std::string_view event, std::string_view data) {
    QuotedEvent quoted;
    json::appendQuoted(quoted.name, event);
    // Escaping rarely grows the text much; one reservation covers the common case.
    quoted.data.reserve(data.size() + data.size() / 8 + 2);
    json::appendQuoted(quoted.data, data);
    return quoted;
}

std::string eventMessageJson(const QuotedEvent& event, std::string_view channel) {
    std::string json;
    json.reserve(event.name.size() + channel.size() + event.data.size() + 32);
    json.append("{\"event\":");
    json.append(event.name);
    json.append(",\"channel\":");
    json::appendQuoted(json, channel);
    json.append(",\"data\":");
    json.append(event.data);
    json.push_back('}');
    return json;
}

std::string eventMessageJson(std::string_view event, std::string_view channel, std::string_view data) {
    return eventMessageJson(quoteEvent(event, data), channel);
}

PublishStep prepareEvent(const config::AppConfig& app, const QuotedEvent& event, const std::string& channel,
                         std::string_view exceptSocketId) {
    std::string json = eventMessageJson(event, channel);
    auto message = std::make_shared<bus::BusMessage>();
    message->kind = bus::BusMessage::Kind::ChannelEvent;
    message->appId = app.id;
    message->channel = channel;
    message->exceptSocketId.assign(exceptSocketId);
    message->frame = std::make_shared<const std::string>(ws::encodeFrame(ws::Opcode::Text, json));
    PublishStep step;
    step.message = std::move(message);
    if (pusher::isCacheChannel(channel)) step.cache = CacheStore{std::move(json), app.cacheTtlSeconds};
    return step;
}

bool publishEvent(const config::AppConfig& app, state::ClusterState& state, bus::Bus& bus,
                  const QuotedEvent& event, const std::string& channel, std::string_view exceptSocketId) {
    PublishStep step = prepareEvent(app, event, channel, exceptSocketId);
    if (step.cache) state.storeCachedEvent(app.id, channel, step.cache->eventJson, step.cache->ttlSeconds);
    return bus.publish(std::move(step.message));
}

}  // namespace resound::api
