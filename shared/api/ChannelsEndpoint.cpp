#include "api/ChannelsEndpoint.h"

#include "api/InfoAttributes.h"
#include "api/JsonBody.h"
#include "json/JsonText.h"
#include "pusher/ChannelName.h"

namespace resound::api {
namespace {

std::optional<ApiResponse> checkChannelName(const std::string& channel) {
    if (pusher::isValidChannelName(channel)) return std::nullopt;
    return errorResponse(
        400,
        "Invalid channel name in the path: use 1-200 characters from A-Z a-z 0-9 _ - = @ , . ; "
        "(percent-encode a leading # as %23)");
}

// "cache":{...} member for info=cache: the cached event's name and data and its remaining TTL.
void appendCache(std::string& json, const ApiContext& context, const std::string& channel) {
    json.append("\"cache\":");
    const auto cached = context.state.cachedEvent(context.app.id, channel);
    if (!cached) {
        json.append("null");
        return;
    }
    json.push_back('{');
    json::JsonValue message;
    const bool parsed = !parseJsonObject(cached->eventJson, message).has_value();
    if (parsed) {
        const json::JsonValue* event = jsonMember(message, "event");
        const json::JsonValue* data = jsonMember(message, "data");
        if (event != nullptr && event->isString()) {
            json.append("\"event\":");
            json::appendQuoted(json, event->text);
            json.push_back(',');
        }
        if (data != nullptr) {
            json.append("\"data\":");
            json::appendQuoted(json, data->isString() ? data->text : jsonText(*data));
            json.push_back(',');
        }
    } else {
        json.append("\"data\":");
        json::appendQuoted(json, cached->eventJson);
        json.push_back(',');
    }
    json.append("\"ttl\":").append(std::to_string(cached->ttlSecondsLeft)).push_back('}');
}

}  // namespace

ApiResponse listChannels(const ApiContext& context) {
    const std::string* prefixParam = context.param("filter_by_prefix");
    const std::string prefix = prefixParam != nullptr ? *prefixParam : std::string();
    InfoRequest info;
    if (const std::string* infoParam = context.param("info")) {
        if (auto error = parseInfo(*infoParam, false, info)) return errorResponse(400, *error);
    }
    if (info.userCount && !prefix.starts_with("presence-")) {
        return errorResponse(
            400, "info=user_count needs filter_by_prefix=presence- (only presence channels have users)");
    }

    std::string json = "{\"channels\":{";
    bool first = true;
    for (const auto& summary : context.state.channels(context.app.id, prefix)) {
        if (!first) json.push_back(',');
        first = false;
        json::appendQuoted(json, summary.name);
        json.append(":{");
        appendCountAttributes(json, summary, info, true);
        json.push_back('}');
    }
    json.append("}}");
    return okResponse(std::move(json));
}

ApiResponse channelInfo(const ApiContext& context, const std::string& channel) {
    if (auto error = checkChannelName(channel)) return *error;
    InfoRequest info;
    if (const std::string* infoParam = context.param("info")) {
        if (auto error = parseInfo(*infoParam, true, info)) return errorResponse(400, *error);
    }
    if (info.userCount && pusher::kindOf(channel) != pusher::ChannelKind::Presence) {
        return errorResponse(400,
                             "info=user_count applies only to presence- channels: drop it for this channel");
    }
    if (info.cache && !pusher::isCacheChannel(channel)) {
        return errorResponse(400,
                             "info=cache applies only to cache channels (cache-, private-cache-, "
                             "private-encrypted-cache-, presence-cache-)");
    }

    const auto summary = context.state.channel(context.app.id, channel);
    std::string json = summary ? "{\"occupied\":true" : "{\"occupied\":false";
    if (info.userCount || info.subscriptionCount) {
        state::ChannelSummary counts;
        counts.name = channel;
        if (summary) counts = *summary;
        std::string attributes;
        if (appendCountAttributes(attributes, counts, info, true)) json.append(",").append(attributes);
    }
    if (info.cache) {
        json.push_back(',');
        appendCache(json, context, channel);
    }
    json.push_back('}');
    return okResponse(std::move(json));
}

ApiResponse channelUsers(const ApiContext& context, const std::string& channel) {
    if (auto error = checkChannelName(channel)) return *error;
    if (pusher::kindOf(channel) != pusher::ChannelKind::Presence) {
        return errorResponse(400,
                             "Only presence- channels have users: this endpoint needs a presence channel");
    }
    std::string json = "{\"users\":[";
    bool first = true;
    for (const auto& member : context.state.presenceMembers(context.app.id, channel)) {
        if (!first) json.push_back(',');
        first = false;
        json.append("{\"id\":");
        json::appendQuoted(json, member.userKey);
        json.push_back('}');
    }
    json.append("]}");
    return okResponse(std::move(json));
}

}  // namespace resound::api
