#include "state/InMemoryClusterState.h"

#include <algorithm>
#include <utility>

namespace resound::state {
namespace {

constexpr std::chrono::seconds kPurgeInterval{60};

}  // namespace

InMemoryClusterState::InMemoryClusterState(Clock clock) : clock_(std::move(clock)), lastPurge_(clock_()) {}

ChannelSummary InMemoryClusterState::summarize(const std::string& name, const ChannelState& channel) {
    // The roster is only ever filled for presence channels, so its size is the distinct user count.
    return ChannelSummary{name, channel.subscriptions, channel.roster.size()};
}

std::vector<PresenceMember> InMemoryClusterState::membersOf(const ChannelState& channel) {
    std::vector<PresenceMember> members;
    members.reserve(channel.roster.size());
    for (const RosterEntry& entry : channel.roster) members.push_back(entry.member);
    return members;
}

void InMemoryClusterState::eraseIfUnused(AppState& app,
                                         std::map<std::string, ChannelState>::iterator channel) {
    if (channel->second.subscriptions == 0 && channel->second.roster.empty()) app.channels.erase(channel);
}

std::size_t InMemoryClusterState::addSubscription(const std::string& appId, const std::string& channel) {
    std::lock_guard lock(mutex_);
    return ++apps_[appId].channels[channel].subscriptions;
}

std::size_t InMemoryClusterState::removeSubscription(const std::string& appId, const std::string& channel) {
    std::lock_guard lock(mutex_);
    const auto app = apps_.find(appId);
    if (app == apps_.end()) return 0;
    const auto it = app->second.channels.find(channel);
    if (it == app->second.channels.end()) return 0;
    // A stray second unsubscribe must not wrap the count around.
    if (it->second.subscriptions > 0) --it->second.subscriptions;
    const std::size_t remaining = it->second.subscriptions;
    eraseIfUnused(app->second, it);
    return remaining;
}

PresenceJoin InMemoryClusterState::joinPresence(const std::string& appId, const std::string& channel,
                                                const PresenceMember& member, std::size_t maxMembers) {
    std::lock_guard lock(mutex_);
    AppState& app = apps_[appId];
    const auto it = app.channels.try_emplace(channel).first;
    std::vector<RosterEntry>& roster = it->second.roster;
    const auto present = std::find_if(roster.begin(), roster.end(), [&](const RosterEntry& entry) {
        return entry.member.userKey == member.userKey;
    });
    if (present != roster.end()) {
        ++present->connections;
        return PresenceJoin{PresenceJoinStatus::AlreadyPresent, membersOf(it->second)};
    }
    // Only a new user counts against the cap: another tab of a present user always gets in.
    if (maxMembers > 0 && roster.size() >= maxMembers)
        return PresenceJoin{PresenceJoinStatus::RosterFull, {}};
    roster.push_back(RosterEntry{member, 1});
    return PresenceJoin{PresenceJoinStatus::Joined, membersOf(it->second)};
}

bool InMemoryClusterState::leavePresence(const std::string& appId, const std::string& channel,
                                         const std::string& userKey) {
    std::lock_guard lock(mutex_);
    const auto app = apps_.find(appId);
    if (app == apps_.end()) return false;
    const auto it = app->second.channels.find(channel);
    if (it == app->second.channels.end()) return false;
    std::vector<RosterEntry>& roster = it->second.roster;
    const auto present = std::find_if(roster.begin(), roster.end(), [&](const RosterEntry& entry) {
        return entry.member.userKey == userKey;
    });
    if (present == roster.end()) return false;
    if (--present->connections > 0) return false;
    roster.erase(present);
    eraseIfUnused(app->second, it);
    return true;
}

std::vector<PresenceMember> InMemoryClusterState::presenceMembers(const std::string& appId,
                                                                  const std::string& channel) {
    std::lock_guard lock(mutex_);
    const auto app = apps_.find(appId);
    if (app == apps_.end()) return {};
    const auto it = app->second.channels.find(channel);
    return it == app->second.channels.end() ? std::vector<PresenceMember>{} : membersOf(it->second);
}

std::vector<ChannelSummary> InMemoryClusterState::channels(const std::string& appId,
                                                           const std::string& prefix) {
    std::lock_guard lock(mutex_);
    std::vector<ChannelSummary> result;
    const auto app = apps_.find(appId);
    if (app == apps_.end()) return result;
    // Names sharing a prefix are contiguous in the ordered map.
    for (auto it = app->second.channels.lower_bound(prefix);
         it != app->second.channels.end() && it->first.starts_with(prefix); ++it) {
        if (it->second.subscriptions > 0) result.push_back(summarize(it->first, it->second));
    }
    return result;
}

std::optional<ChannelSummary> InMemoryClusterState::channel(const std::string& appId,
                                                            const std::string& name) {
    std::lock_guard lock(mutex_);
    const auto app = apps_.find(appId);
    if (app == apps_.end()) return std::nullopt;
    const auto it = app->second.channels.find(name);
    if (it == app->second.channels.end() || it->second.subscriptions == 0) return std::nullopt;
    return summarize(it->first, it->second);
}

void InMemoryClusterState::storeCachedEvent(const std::string& appId, const std::string& channel,
                                            const std::string& eventJson, int ttlSeconds) {
    const TimePoint now = clock_();
    std::lock_guard lock(mutex_);
    AppState& app = apps_[appId];
    if (ttlSeconds <= 0) {
        app.cache.erase(channel);
    } else {
        app.cache.insert_or_assign(channel, StoredEvent{eventJson, now + std::chrono::seconds(ttlSeconds)});
    }
    if (now - lastPurge_ >= kPurgeInterval) purgeExpiredLocked(now);
}

std::optional<CachedEvent> InMemoryClusterState::cachedEvent(const std::string& appId,
                                                             const std::string& channel) {
    const TimePoint now = clock_();
    std::lock_guard lock(mutex_);
    const auto app = apps_.find(appId);
    if (app == apps_.end()) return std::nullopt;
    const auto it = app->second.cache.find(channel);
    if (it == app->second.cache.end()) return std::nullopt;
    if (now >= it->second.expiresAt) {
        app->second.cache.erase(it);
        return std::nullopt;
    }
    const auto left = std::chrono::ceil<std::chrono::seconds>(it->second.expiresAt - now);
    return CachedEvent{it->second.eventJson, static_cast<int>(left.count())};
}

std::size_t InMemoryClusterState::purgeExpired() {
    const TimePoint now = clock_();
    std::lock_guard lock(mutex_);
    return purgeExpiredLocked(now);
}

std::size_t InMemoryClusterState::purgeExpiredLocked(TimePoint now) {
    lastPurge_ = now;
    std::size_t removed = 0;
    for (auto& [appId, app] : apps_) {
        removed += std::erase_if(app.cache, [&](const auto& entry) { return now >= entry.second.expiresAt; });
    }
    return removed;
}

bool InMemoryClusterState::tryAddConnection(const std::string& appId, std::size_t limit) {
    std::lock_guard lock(mutex_);
    std::size_t& connections = apps_[appId].connections;
    if (limit > 0 && connections >= limit) return false;
    ++connections;
    return true;
}

void InMemoryClusterState::removeConnection(const std::string& appId) {
    std::lock_guard lock(mutex_);
    const auto app = apps_.find(appId);
    if (app != apps_.end() && app->second.connections > 0) --app->second.connections;
}

std::size_t InMemoryClusterState::connectionCount(const std::string& appId) {
    std::lock_guard lock(mutex_);
    const auto app = apps_.find(appId);
    return app == apps_.end() ? 0 : app->second.connections;
}

}  // namespace resound::state
