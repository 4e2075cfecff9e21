#include "api/EventsEndpoint.h"

#include <algorithm>
#include <chrono>
#include <vector>

#include "api/EventPublisher.h"
#include "api/InfoAttributes.h"
#include "api/JsonBody.h"
#include "json/JsonText.h"
#include "pusher/ChannelName.h"
#include "pusher/EventName.h"
#include "pusher/SocketId.h"

namespace resound::api {
namespace {

// One validated event, ready to publish.
struct EventSpec {
    std::string name;
    std::string data;
    std::vector<std::string> channels;  // distinct, in request order
    std::string socketId;               // empty: exclude nobody
    InfoRequest info;
};

// Quotes a user-supplied value for an error message, cut so a huge value cannot bloat the body.
std::string shown(std::string_view value) {
    constexpr std::size_t kMax = 60;
    std::string text(value.substr(0, kMax));
    if (value.size() > kMax) text += "...";
    return "\"" + text + "\"";
}

ApiResponse badRequest(std::string_view where, std::string_view message) {
    std::string text(where);
    text.append(message);
    return errorResponse(400, text);
}

std::optional<ApiResponse> readName(const json::JsonValue& item, std::string_view where, EventSpec& out) {
    const json::JsonValue* name = jsonMember(item, "name");
    if (name == nullptr || (name->isString() && name->text.empty())) {
        return badRequest(where, "Missing \"name\": give the event name as a string");
    }
    if (!name->isString()) return badRequest(where, "\"name\" must be a string");
    out.name = name->text;
    if (!pusher::eventNameWithinLimit(out.name)) {
        return badRequest(where, "Event name is longer than 200 characters: use a shorter \"name\"");
    }
    return std::nullopt;
}

std::optional<ApiResponse> readData(const json::JsonValue& item, const config::AppConfig& app,
                                    std::string_view where, EventSpec& out) {
    const json::JsonValue* data = jsonMember(item, "data");
    if (data == nullptr) {
        return badRequest(where,
                          "Missing \"data\": give the event payload as a string (usually JSON-encoded)");
    }
    out.data = data->isString() ? data->text : jsonText(*data);
    if (out.data.size() > app.maxEventPayloadBytes) {
        std::string message(where);
        message += "Event data is " + std::to_string(out.data.size()) + " bytes; this app allows at most " +
                   std::to_string(app.maxEventPayloadBytes) + " (max_event_payload_bytes)";
        return errorResponse(413, message);
    }
    return std::nullopt;
}

std::optional<ApiResponse> addChannel(const json::JsonValue& value, std::string_view where, EventSpec& out) {
    if (!value.isString()) return badRequest(where, "Channel names must be strings");
    const std::string& channel = value.text;
    if (!pusher::isValidChannelName(channel)) {
        return badRequest(where, "Invalid channel name " + shown(channel) +
                                     ": use 1-200 characters from A-Z a-z 0-9 _ - = @ , . ; "
                                     "(only #server-to-user-<id> may start with #)");
    }
    if (std::find(out.channels.begin(), out.channels.end(), channel) == out.channels.end()) {
        out.channels.push_back(channel);
    }
    return std::nullopt;
}

std::optional<ApiResponse> readChannels(const json::JsonValue& item, const config::AppConfig& app,
                                        std::string_view where, bool batchItem, EventSpec& out) {
    const json::JsonValue* list = batchItem ? nullptr : jsonMember(item, "channels");
    if (list != nullptr) {
        if (!list->isArray()) return badRequest(where, "\"channels\" must be a list of channel names");
        const auto& array = list->items;
        if (array.empty()) return badRequest(where, "\"channels\" is empty: give at least one channel");
        if (array.size() > app.maxChannelsPerEvent) {
            return badRequest(where, "Too many channels: " + std::to_string(array.size()) +
                                         " given, at most " + std::to_string(app.maxChannelsPerEvent) +
                                         " per event (max_channels_per_event); split the publish");
        }
        out.channels.reserve(array.size());
        for (const json::JsonValue& channel : array) {
            if (auto error = addChannel(channel, where, out)) return error;
        }
    } else {
        const json::JsonValue* single = jsonMember(item, "channel");
        if (single == nullptr) {
            return badRequest(
                where, batchItem ? "Missing \"channel\": each batch event needs one channel name"
                                 : "Missing \"channels\": give a list of channel names (or \"channel\")");
        }
        if (auto error = addChannel(*single, where, out)) return error;
    }
    if (out.channels.size() > 1) {
        for (const auto& channel : out.channels) {
            if (pusher::kindOf(channel) == pusher::ChannelKind::PrivateEncrypted) {
                return badRequest(where, "Encrypted channels take one channel per event: publish to " +
                                             shown(channel) + " in a request of its own");
            }
        }
    }
    return std::nullopt;
}

std::optional<ApiResponse> readOptions(const json::JsonValue& item, std::string_view where, EventSpec& out) {
    if (const json::JsonValue* socketId = jsonMember(item, "socket_id")) {
        const bool valid = socketId->isString() && pusher::isValidSocketId(socketId->text);
        if (!valid) {
            const std::string text = socketId->isString() ? socketId->text : jsonText(*socketId);
            return badRequest(where, "Invalid socket_id " + shown(text) +
                                         ": expected the connection's socket id, two numbers joined by a dot "
                                         "(e.g. \"1234.5678\")");
        }
        out.socketId = socketId->text;
    }
    if (const json::JsonValue* info = jsonMember(item, "info")) {
        if (!info->isString()) return badRequest(where, "\"info\" must be a comma-separated string");
        if (auto error = parseInfo(info->text, false, out.info)) return badRequest(where, *error);
    }
    return std::nullopt;
}

std::optional<ApiResponse> readEvent(const json::JsonValue& item, const config::AppConfig& app,
                                     std::string_view where, bool batchItem, EventSpec& out) {
    if (auto error = readName(item, where, out)) return error;
    if (auto error = readChannels(item, app, where, batchItem, out)) return error;
    if (auto error = readData(item, app, where, out)) return error;
    if (auto error = readOptions(item, where, out)) return error;
    return std::nullopt;
}

ApiResponse busUnavailable() {
    return errorResponse(503,
                         "The event could not be handed to the message bus (is Redis reachable?); "
                         "it may not have reached every channel: retry");
}

bool publishAll(const ApiContext& context, const EventSpec& event) {
    const QuotedEvent quoted = quoteEvent(event.name, event.data);
    for (const auto& channel : event.channels) {
        if (!publishEvent(context.app, context.state, context.bus, quoted, channel, event.socketId)) {
            return false;
        }
        if (context.debugTap && context.debugTap->wants(context.app.id, channel, event.name)) {
            dashboard::DebugEvent debug;
            debug.kind = dashboard::DebugEvent::Kind::ApiEvent;
            debug.timeMs = std::chrono::duration_cast<std::chrono::milliseconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count();
            debug.appId = context.app.id;
            debug.channel = channel;
            debug.event = event.name;
            debug.socketId = event.socketId;
            debug.bytes = event.data.size();
            debug.detail = dashboard::previewOf(event.data);
            context.debugTap->emit(debug);
        }
    }
    return true;
}

state::ChannelSummary summaryOf(const ApiContext& context, const std::string& channel) {
    if (auto summary = context.state.channel(context.app.id, channel)) return *summary;
    state::ChannelSummary empty;
    empty.name = channel;
    return empty;
}

}  // namespace

ApiResponse publishEvents(const ApiContext& context) {
    json::JsonValue body;
    if (auto error = parseJsonObject(context.request.body, body)) return *error;
    EventSpec event;
    if (auto error = readEvent(body, context.app, "", false, event)) return *error;
    if (!publishAll(context, event)) return busUnavailable();
    if (!event.info.any()) return okResponse("{}");

    std::string json = "{\"channels\":{";
    for (std::size_t i = 0; i < event.channels.size(); ++i) {
        if (i > 0) json.push_back(',');
        json::appendQuoted(json, event.channels[i]);
        json.append(":{");
        appendCountAttributes(json, summaryOf(context, event.channels[i]), event.info, false);
        json.push_back('}');
    }
    json.append("}}");
    return okResponse(std::move(json));
}

ApiResponse publishBatchEvents(const ApiContext& context) {
    json::JsonValue body;
    if (auto error = parseJsonObject(context.request.body, body)) return *error;
    const json::JsonValue* batch = jsonMember(body, "batch");
    if (batch == nullptr || !batch->isArray()) {
        return errorResponse(400, "Missing \"batch\": give a list of events {name, channel, data}");
    }
    const auto& items = batch->items;
    if (items.size() > context.app.maxBatchSize) {
        return errorResponse(400, "Batch has " + std::to_string(items.size()) + " events; at most " +
                                      std::to_string(context.app.maxBatchSize) +
                                      " per request (max_batch_size): split it");
    }

    std::vector<EventSpec> events(items.size());
    bool anyInfo = false;
    for (std::size_t i = 0; i < items.size(); ++i) {
        const std::string where = "batch[" + std::to_string(i) + "]: ";
        if (!items[i].isObject()) return badRequest(where, "each event must be an object");
        if (auto error = readEvent(items[i], context.app, where, true, events[i])) return *error;
        anyInfo = anyInfo || events[i].info.any();
    }

    for (const auto& event : events) {
        if (!publishAll(context, event)) return busUnavailable();
    }
    if (!anyInfo) return okResponse("{}");

    std::string json = "{\"batch\":[";
    for (std::size_t i = 0; i < events.size(); ++i) {
        if (i > 0) json.push_back(',');
        json.push_back('{');
        if (events[i].info.any()) {
            appendCountAttributes(json, summaryOf(context, events[i].channels.front()), events[i].info,
                                  false);
        }
        json.push_back('}');
    }
    json.append("]}");
    return okResponse(std::move(json));
}

}  // namespace resound::api
