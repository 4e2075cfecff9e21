#include "redis/KeySchema.h"

namespace resound::redis::keys {
namespace {

std::string join(std::initializer_list<std::string_view> parts) {
    std::size_t size = 0;
    for (auto part : parts) size += part.size();
    std::string out;
    out.reserve(size);
    for (auto part : parts) out.append(part);
    return out;
}

}  // namespace

std::string channelTopic(std::string_view appId, std::string_view channel) {
    return join({"resound:", appId, ":ch:", channel});
}
std::string controlTopic(std::string_view appId) { return join({"resound:", appId, ":control"}); }

void assignChannelTopic(std::string& out, std::string_view appId, std::string_view channel) {
    out.assign("resound:").append(appId).append(":ch:").append(channel);
}
void assignControlTopic(std::string& out, std::string_view appId) {
    out.assign("resound:").append(appId).append(":control");
}

std::string channels(std::string_view appId) { return join({"resound:", appId, ":channels"}); }
std::string presence(std::string_view appId, std::string_view channel) {
    return join({"resound:", appId, ":presence:", channel});
}
std::string presenceInfo(std::string_view appId, std::string_view channel) {
    return join({"resound:", appId, ":presence_info:", channel});
}
std::string presenceOrder(std::string_view appId, std::string_view channel) {
    return join({"resound:", appId, ":presence_order:", channel});
}
std::string presenceSequence(std::string_view appId) { return join({"resound:", appId, ":presence_seq"}); }
std::string connections(std::string_view appId) { return join({"resound:", appId, ":connections"}); }
std::string cache(std::string_view appId, std::string_view channel) {
    return join({"resound:", appId, ":cache:", channel});
}

std::string nodes() { return "resound:nodes"; }
std::string nodeSubscriptions(std::string_view nodeId) { return join({"resound:node:", nodeId, ":subs"}); }
std::string nodePresence(std::string_view nodeId) { return join({"resound:node:", nodeId, ":presence"}); }
std::string nodeConnections(std::string_view nodeId) { return join({"resound:node:", nodeId, ":conns"}); }
std::string nodeStats(std::string_view nodeId) { return join({"resound:node:", nodeId, ":stats"}); }
std::string nodeReaped(std::string_view nodeId) { return join({"resound:node:", nodeId, ":reaped"}); }

std::string subscriptionField(std::string_view appId, std::string_view channel) {
    return join({appId, "\n", channel});
}
std::string presenceField(std::string_view appId, std::string_view channel, std::string_view userKey) {
    return join({appId, "\n", channel, "\n", userKey});
}

std::string debugWatch() { return "resound:debug:watch"; }
std::string debugEvents() { return "resound:debug:events"; }

}  // namespace resound::redis::keys
