#include "pusher/Messages.h"

#include "json/JsonText.h"

namespace resound::pusher::messages {

using json::appendQuoted;

namespace {

std::string withChannel(std::string_view event, std::string_view channel) {
    std::string out = "{\"event\":";
    appendQuoted(out, event);
    out += ",\"channel\":";
    appendQuoted(out, channel);
    return out;
}

// {"event":E,"channel":C,"data":"<innerJson as a string>"}
std::string withStringData(std::string_view event, std::string_view channel, std::string_view innerJson) {
    std::string out = withChannel(event, channel);
    out += ",\"data\":";
    appendQuoted(out, innerJson);
    out += '}';
    return out;
}

}  // namespace

std::string connectionEstablished(std::string_view socketId, int activityTimeoutSeconds) {
    std::string inner = "{\"socket_id\":";
    appendQuoted(inner, socketId);
    inner += ",\"activity_timeout\":" + std::to_string(activityTimeoutSeconds) + "}";
    std::string out = "{\"event\":\"pusher:connection_established\",\"data\":";
    appendQuoted(out, inner);
    out += '}';
    return out;
}

std::string error(std::optional<std::uint16_t> code, std::string_view message) {
    std::string out = "{\"event\":\"pusher:error\",\"data\":{\"code\":";
    out += code ? std::to_string(*code) : "null";
    out += ",\"message\":";
    appendQuoted(out, message);
    out += "}}";
    return out;
}

std::string ping() { return "{\"event\":\"pusher:ping\",\"data\":{}}"; }
std::string pong() { return "{\"event\":\"pusher:pong\",\"data\":{}}"; }

std::string subscriptionSucceeded(std::string_view channel) {
    return withStringData("pusher_internal:subscription_succeeded", channel, "{}");
}

std::string presenceSubscriptionSucceeded(std::string_view channel,
                                          const std::vector<state::PresenceMember>& members) {
    std::string ids;
    std::string hash;
    for (const auto& m : members) {
        if (!ids.empty()) ids += ',';
        ids += m.idJson;
        if (!hash.empty()) hash += ',';
        appendQuoted(hash, m.userKey);
        hash += ':';
        hash += m.infoJson.empty() ? "null" : m.infoJson;
    }
    std::string inner = "{\"presence\":{\"ids\":[" + ids + "],\"hash\":{" + hash +
                        "},\"count\":" + std::to_string(members.size()) + "}}";
    return withStringData("pusher_internal:subscription_succeeded", channel, inner);
}

std::string memberAdded(std::string_view channel, const state::PresenceMember& member) {
    std::string inner = "{\"user_id\":" + member.idJson + ",\"user_info\":" +
                        (member.infoJson.empty() ? std::string("null") : member.infoJson) + "}";
    return withStringData("pusher_internal:member_added", channel, inner);
}

std::string memberRemoved(std::string_view channel, const state::PresenceMember& member) {
    return withStringData("pusher_internal:member_removed", channel, "{\"user_id\":" + member.idJson + "}");
}

std::string subscriptionError(std::string_view channel, std::string_view type, std::string_view error,
                              int status) {
    std::string out = withChannel("pusher:subscription_error", channel);
    out += ",\"data\":{\"type\":";
    appendQuoted(out, type);
    out += ",\"error\":";
    appendQuoted(out, error);
    out += ",\"status\":" + std::to_string(status) + "}}";
    return out;
}

std::string cacheMiss(std::string_view channel) { return withChannel("pusher:cache_miss", channel) + "}"; }

std::string signinSuccess(std::string_view userData) {
    std::string out = "{\"event\":\"pusher:signin_success\",\"data\":{\"user_data\":";
    appendQuoted(out, userData);
    out += "}}";
    return out;
}

std::string subscriptionCount(std::string_view channel, std::size_t count) {
    return withStringData("pusher_internal:subscription_count", channel,
                          "{\"subscription_count\":" + std::to_string(count) + "}");
}

std::string channelEvent(std::string_view event, std::string_view channel, std::string_view dataJson,
                         std::string_view userId) {
    std::string out = withChannel(event, channel);
    out += ",\"data\":";
    out += dataJson;
    if (!userId.empty()) {
        out += ",\"user_id\":";
        appendQuoted(out, userId);
    }
    out += '}';
    return out;
}

}  // namespace resound::pusher::messages
