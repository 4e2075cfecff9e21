#include "webhooks/GracePeriodFilter.h"

namespace resound::webhooks {

using Kind = WebhookEvent::Kind;

std::optional<AppEvent> GracePeriodFilter::offer(AppEvent event, std::chrono::milliseconds grace,
                                                 TimePoint now) {
    const Kind kind = event.event.kind;
    const bool leave = kind == Kind::ChannelVacated || kind == Kind::MemberRemoved;
    const bool join = kind == Kind::ChannelOccupied || kind == Kind::MemberAdded;
    if (!leave && !join) return event;
    // channel_vacated pairs with channel_occupied (no user); member_removed with member_added (user).
    const bool member = kind == Kind::MemberAdded || kind == Kind::MemberRemoved;
    Key key{event.app, event.event.channel, member ? event.event.userId : std::string()};
    if (member && std::get<2>(key).empty()) std::get<2>(key) = std::string(1, '\0');  // distinct from channel

    const auto it = held_.find(key);
    if (join) {
        if (it == held_.end()) return event;
        byDue_.erase(it->second.due);
        held_.erase(it);
        ++cancelledPairs_;
        return std::nullopt;
    }
    if (grace.count() <= 0) return event;
    if (it != held_.end()) return std::nullopt;  // a second leave without a join in between: keep the first
    const auto due = byDue_.emplace(now + grace, key);
    held_.emplace(std::move(key), Held{std::move(event), due});
    return std::nullopt;
}

void GracePeriodFilter::releaseDue(TimePoint now, std::vector<AppEvent>& out) {
    while (!byDue_.empty() && byDue_.begin()->first <= now) {
        const auto it = held_.find(byDue_.begin()->second);
        byDue_.erase(byDue_.begin());
        if (it == held_.end()) continue;
        out.push_back(std::move(it->second.event));
        held_.erase(it);
    }
}

void GracePeriodFilter::releaseAll(std::vector<AppEvent>& out) {
    for (auto& [key, held] : held_) out.push_back(std::move(held.event));
    held_.clear();
    byDue_.clear();
}

std::optional<GracePeriodFilter::TimePoint> GracePeriodFilter::nextDue() const {
    if (byDue_.empty()) return std::nullopt;
    return byDue_.begin()->first;
}

}  // namespace resound::webhooks
