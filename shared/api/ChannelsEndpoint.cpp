#include "api/ChannelsEndpoint.h"

#include <memory>
#include <optional>
#include <vector>

#include "api/InfoAttributes.h"
#include "api/JsonBody.h"
#include "api/StateRead.h"
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
void appendCache(std::string& json, const std::optional<state::CachedEvent>& cached) {
    json.append("\"cache\":");
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

// What GET /channels/{name} answers from: the counts (zeros when unoccupied) and, for info=cache,
// the cached event.
struct ChannelView {
    state::ChannelSummary counts;
    std::optional<state::CachedEvent> cached;
};

// Both reads go out together (one round trip); the view is answered when both are in, nullopt if
// either could not be read.
void readChannelView(state::ClusterReads& reads, const std::string& appId, const std::string& channel,
                     bool withCache, state::ClusterReads::Done<ChannelView> done) {
    struct Join {
        ChannelView view;
        bool failed = false;
        int pending = 0;
        state::ClusterReads::Done<ChannelView> done;
        void settle() {
            if (--pending > 0) return;
            if (failed) {
                done(std::nullopt);
            } else {
                done(std::move(view));
            }
        }
    };
    auto join = std::make_shared<Join>();
    join->pending = withCache ? 2 : 1;
    join->done = std::move(done);
    reads.channel(appId, channel, [join](std::optional<state::ChannelSummary> counts) {
        if (counts) {
            join->view.counts = std::move(*counts);
        } else {
            join->failed = true;
        }
        join->settle();
    });
    if (!withCache) return;
    reads.cachedEvent(appId, channel, [join](std::optional<std::optional<state::CachedEvent>> cached) {
        if (cached) {
            join->view.cached = std::move(*cached);
        } else {
            join->failed = true;
        }
        join->settle();
    });
}

}  // namespace

std::optional<ApiResponse> listChannels(const ApiContext& context) {
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

    return readStateThen<std::vector<state::ChannelSummary>>(
        context, [&](state::ClusterState& state) { return state.channels(context.app.id, prefix); },
        [appId = context.app.id, prefix](state::ClusterReads& reads, auto done) {
            reads.channels(appId, prefix, std::move(done));
        },
        [info](const std::vector<state::ChannelSummary>& channels) {
            std::string json = "{\"channels\":{";
            bool first = true;
            for (const auto& summary : channels) {
                if (!first) json.push_back(',');
                first = false;
                json::appendQuoted(json, summary.name);
                json.append(":{");
                appendCountAttributes(json, summary, info, true);
                json.push_back('}');
            }
            json.append("}}");
            return okResponse(std::move(json));
        });
}

std::optional<ApiResponse> channelInfo(const ApiContext& context, const std::string& channel) {
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

    return readStateThen<ChannelView>(
        context,
        [&](state::ClusterState& state) {
            ChannelView view;
            if (auto summary = state.channel(context.app.id, channel)) view.counts = *summary;
            view.counts.name = channel;
            if (info.cache) view.cached = state.cachedEvent(context.app.id, channel);
            return view;
        },
        [appId = context.app.id, channel, cache = info.cache](state::ClusterReads& reads,
                                                              state::ClusterReads::Done<ChannelView> done) {
            readChannelView(reads, appId, channel, cache, std::move(done));
        },
        [info](const ChannelView& view) {
            std::string json =
                view.counts.subscriptionCount > 0 ? "{\"occupied\":true" : "{\"occupied\":false";
            if (info.userCount || info.subscriptionCount) {
                std::string attributes;
                if (appendCountAttributes(attributes, view.counts, info, true))
                    json.append(",").append(attributes);
            }
            if (info.cache) {
                json.push_back(',');
                appendCache(json, view.cached);
            }
            json.push_back('}');
            return okResponse(std::move(json));
        });
}

std::optional<ApiResponse> channelUsers(const ApiContext& context, const std::string& channel) {
    if (auto error = checkChannelName(channel)) return *error;
    if (pusher::kindOf(channel) != pusher::ChannelKind::Presence) {
        return errorResponse(400,
                             "Only presence- channels have users: this endpoint needs a presence channel");
    }
    return readStateThen<std::vector<state::PresenceMember>>(
        context, [&](state::ClusterState& state) { return state.presenceMembers(context.app.id, channel); },
        [appId = context.app.id, channel](state::ClusterReads& reads, auto done) {
            reads.presenceMembers(appId, channel, std::move(done));
        },
        [](const std::vector<state::PresenceMember>& members) {
            std::string json = "{\"users\":[";
            bool first = true;
            for (const auto& member : members) {
                if (!first) json.push_back(',');
                first = false;
                json.append("{\"id\":");
                json::appendQuoted(json, member.userKey);
                json.push_back('}');
            }
            json.append("]}");
            return okResponse(std::move(json));
        });
}

}  // namespace resound::api
