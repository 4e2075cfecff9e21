#include "api/InfoAttributes.h"

#include "pusher/ChannelName.h"

namespace resound::api {

std::optional<std::string> parseInfo(std::string_view text, bool allowCache, InfoRequest& out) {
    while (!text.empty()) {
        const std::size_t comma = text.find(',');
        std::string_view item = text.substr(0, comma);
        while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
        while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
        if (item == "user_count") {
            out.userCount = true;
        } else if (item == "subscription_count") {
            out.subscriptionCount = true;
        } else if (item == "cache" && allowCache) {
            out.cache = true;
        } else if (!item.empty()) {
            std::string message = "Unknown info attribute \"";
            message.append(item.substr(0, 50));
            message.append(allowCache ? "\": use user_count, subscription_count or cache"
                                      : "\": use user_count or subscription_count");
            return message;
        }
        if (comma == std::string_view::npos) break;
        text.remove_prefix(comma + 1);
    }
    return std::nullopt;
}

bool appendCountAttributes(std::string& out, const state::ChannelSummary& summary, const InfoRequest& info,
                           bool includePresenceSubscriptions) {
    const bool presence = pusher::kindOf(summary.name) == pusher::ChannelKind::Presence;
    bool appended = false;
    if (info.userCount && presence) {
        out.append("\"user_count\":").append(std::to_string(summary.userCount));
        appended = true;
    }
    if (info.subscriptionCount && (!presence || includePresenceSubscriptions)) {
        if (appended) out.push_back(',');
        out.append("\"subscription_count\":").append(std::to_string(summary.subscriptionCount));
        appended = true;
    }
    return appended;
}

}  // namespace resound::api
