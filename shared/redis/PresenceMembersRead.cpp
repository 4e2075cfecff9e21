#include "redis/PresenceMembersRead.h"

#include <unordered_map>

#include "redis/KeySchema.h"
#include "redis/PresenceInfo.h"

namespace resound::redis {

PresenceMembersRead::PresenceMembersRead(std::string_view appId, std::string_view channel)
    : orderKey_(keys::presenceOrder(appId, channel)), infoKey_(keys::presenceInfo(appId, channel)) {
    zrange_ = {"ZRANGE", orderKey_, "0", "-1"};
    hgetall_ = {"HGETALL", infoKey_};
}

std::vector<state::PresenceMember> PresenceMembersRead::members(const RespValue& order,
                                                                const RespValue& info) const {
    if (!order.isArray() || !info.isArray())
        throw state::StateUnavailable("the presence roster could not be read from Redis");
    std::unordered_map<std::string_view, std::string_view> stored;
    const auto& pairs = info.elements;
    for (std::size_t i = 0; i + 1 < pairs.size(); i += 2) stored.emplace(pairs[i].text, pairs[i + 1].text);
    std::vector<state::PresenceMember> members;
    members.reserve(order.elements.size());
    for (const RespValue& user : order.elements) {
        const auto it = stored.find(user.text);
        if (it != stored.end()) members.push_back(presenceMemberOf(user.text, it->second));
    }
    return members;
}

}  // namespace resound::redis
