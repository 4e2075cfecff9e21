#include "api/EventsEndpoint.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "api/EventPublisher.h"
#include "api/InfoAttributes.h"
#include "api/JsonBody.h"
#include "json/JsonText.h"
#include "pusher/ChannelName.h"
#include "pusher/EventName.h"
#include "pusher/SocketId.h"
#include "state/ClusterState.h"

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

ApiResponse busUnavailable() { return busRefusedResponse("event", "it may not have reached every channel"); }

// A validated request: what it publishes and what its answer needs. Kept until the answer is
// built, which for a publish through a LoopBackend is after the request itself is gone.
struct PublishPlan {
    const config::AppConfig& app;
    state::ClusterState& state;
    dashboard::DebugTap* debugTap;
    std::vector<EventSpec> events;
    bool batch;  // batch_events: answered {"batch":[...]}, else {"channels":{...}}
};

void reportToDebugTap(const PublishPlan& plan, const EventSpec& event, const std::string& channel) {
    if (!plan.debugTap || !plan.debugTap->wants(plan.app.id, channel, event.name)) return;
    dashboard::DebugEvent debug;
    debug.kind = dashboard::DebugEvent::Kind::ApiEvent;
    debug.timeMs = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
    debug.appId = plan.app.id;
    debug.channel = channel;
    debug.event = event.name;
    debug.socketId = event.socketId;
    debug.bytes = event.data.size();
    debug.detail = dashboard::previewOf(event.data);
    plan.debugTap->emit(debug);
}

// The channel's counts for the `info` attributes of the step (events x channels, in request order),
// or nullopt when the cluster's state cannot be read: the events are already published, so the answer
// stays 200 (a 503 would make the SDK publish them again) and the channel's attributes are left out
// rather than reported as 0.
using CountsOfStep =
    std::function<std::optional<state::ChannelSummary>(std::size_t step, const std::string& channel)>;

// Read from the cluster state now (the synchronous path).
std::optional<state::ChannelSummary> readCounts(const PublishPlan& plan, const std::string& channel) {
    try {
        if (auto summary = plan.state.channel(plan.app.id, channel)) return *summary;
    } catch (const state::StateUnavailable& e) {
        spdlog::warn("http api: published to {}, but its info could not be read: {}", channel, e.what());
        return std::nullopt;
    }
    state::ChannelSummary empty;
    empty.name = channel;
    return empty;
}

void appendInfo(std::string& json, const std::optional<state::ChannelSummary>& summary,
                const InfoRequest& info) {
    if (summary) appendCountAttributes(json, *summary, info, false);
}

// The 200 answer once everything is published: {} or the requested `info` attributes.
ApiResponse publishedResponse(const PublishPlan& plan, const CountsOfStep& countsOf) {
    if (!plan.batch) {
        const EventSpec& event = plan.events.front();
        if (!event.info.any()) return okResponse("{}");
        std::string json = "{\"channels\":{";
        for (std::size_t i = 0; i < event.channels.size(); ++i) {
            if (i > 0) json.push_back(',');
            json::appendQuoted(json, event.channels[i]);
            json.append(":{");
            appendInfo(json, countsOf(i, event.channels[i]), event.info);
            json.push_back('}');
        }
        json.append("}}");
        return okResponse(std::move(json));
    }
    const bool anyInfo =
        std::any_of(plan.events.begin(), plan.events.end(), [](const EventSpec& e) { return e.info.any(); });
    if (!anyInfo) return okResponse("{}");
    std::string json = "{\"batch\":[";
    for (std::size_t i = 0; i < plan.events.size(); ++i) {
        if (i > 0) json.push_back(',');
        json.push_back('{');
        // A batch event has exactly one channel: its step is its index.
        if (plan.events[i].info.any())
            appendInfo(json, countsOf(i, plan.events[i].channels.front()), plan.events[i].info);
        json.push_back('}');
    }
    json.append("]}");
    return okResponse(std::move(json));
}

// On the bus, one channel after the other; the first refusal ends the request with 503.
ApiResponse publishNow(const ApiContext& context, const PublishPlan& plan) {
    for (const EventSpec& event : plan.events) {
        const QuotedEvent quoted = quoteEvent(event.name, event.data);
        for (const auto& channel : event.channels) {
            if (!publishEvent(plan.app, plan.state, context.bus, quoted, channel, event.socketId)) {
                return busUnavailable();
            }
            reportToDebugTap(plan, event, channel);
        }
    }
    return publishedResponse(
        plan, [&plan](std::size_t, const std::string& channel) { return readCounts(plan, channel); });
}

// Through the backend: every message is handed over at once (one round trip for the whole request, and
// for the other requests of the same loop iteration); the answer comes when all are acknowledged.
void publishThroughBackend(const ApiContext& context, PublishPlan plan) {
    std::vector<PublishStep> steps;
    for (const EventSpec& event : plan.events) {
        const QuotedEvent quoted = quoteEvent(event.name, event.data);
        for (const auto& channel : event.channels) {
            steps.push_back(prepareEvent(plan.app, quoted, channel, event.socketId));
            steps.back().readCounts = event.info.any();
        }
    }
    auto kept = std::make_shared<const PublishPlan>(std::move(plan));
    context.backend->publish(
        std::move(steps), [kept, complete = *context.complete](const PublishReport& report) {
            std::size_t step = 0;
            for (const EventSpec& event : kept->events) {
                for (const auto& channel : event.channels) {
                    if (step < report.acknowledged.size() && report.acknowledged[step])
                        reportToDebugTap(*kept, event, channel);
                    ++step;
                }
            }
            if (!report.all()) {
                complete(busUnavailable());
                return;
            }
            complete(answerBuiltSafely("a publish to app " + kept->app.id, [&] {
                return publishedResponse(*kept, [&report](std::size_t step, const std::string& channel) {
                    std::optional<state::ChannelSummary> counts;
                    if (step < report.counts.size()) counts = report.counts[step];
                    if (!counts)
                        spdlog::warn("http api: published to {}, but its info could not be read", channel);
                    return counts;
                });
            }));
        });
}

std::optional<ApiResponse> publish(const ApiContext& context, std::vector<EventSpec> events, bool batch) {
    PublishPlan plan{context.app, context.state, context.debugTap, std::move(events), batch};
    if (context.backend == nullptr || context.complete == nullptr) return publishNow(context, plan);
    publishThroughBackend(context, std::move(plan));
    return std::nullopt;
}

}  // namespace

std::optional<ApiResponse> publishEvents(const ApiContext& context) {
    json::JsonValue body;
    if (auto error = parseJsonObject(context.request.body, body)) return *error;
    std::vector<EventSpec> events(1);
    if (auto error = readEvent(body, context.app, "", false, events.front())) return *error;
    return publish(context, std::move(events), false);
}

std::optional<ApiResponse> publishBatchEvents(const ApiContext& context) {
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
    for (std::size_t i = 0; i < items.size(); ++i) {
        const std::string where = "batch[" + std::to_string(i) + "]: ";
        if (!items[i].isObject()) return badRequest(where, "each event must be an object");
        if (auto error = readEvent(items[i], context.app, where, true, events[i])) return *error;
    }
    return publish(context, std::move(events), true);
}

}  // namespace resound::api
