#include "webhooks/EventInterest.h"

#include "webhooks/WebhookPayload.h"

namespace resound::webhooks {

using Kind = WebhookEvent::Kind;

std::uint32_t targetKinds(const config::WebhookTarget& target) {
    std::uint32_t kinds = 0;
    for (const auto& name : target.eventTypes) {
        if (const auto kind = eventKindFromName(name)) kinds |= kindBit(*kind);
    }
    return kinds;
}

std::uint32_t appInterest(const config::AppConfig& app) {
    std::uint32_t interest = 0;
    for (const auto& target : app.webhooks) interest |= targetKinds(target);
    if (interest & kindBit(Kind::ChannelVacated)) interest |= kindBit(Kind::ChannelOccupied);
    if (interest & kindBit(Kind::MemberRemoved)) interest |= kindBit(Kind::MemberAdded);
    return interest;
}

bool anyWebhookTargets(const std::vector<config::AppConfig>& apps) {
    for (const auto& app : apps) {
        if (!app.webhooks.empty()) return true;
    }
    return false;
}

}  // namespace resound::webhooks
