#include "redis/LocalContributions.h"

#include <algorithm>

namespace resound::redis {

const LocalContributions::Channel* LocalContributions::find(const std::string& appId,
                                                            const std::string& channel) const {
    const auto app = apps_.find(appId);
    if (app == apps_.end()) return nullptr;
    const auto it = app->second.channels.find(channel);
    return it == app->second.channels.end() ? nullptr : &it->second;
}

void LocalContributions::eraseIfUnused(App& app, std::map<std::string, Channel>::iterator channel) {
    if (channel->second.subscriptions == 0 && channel->second.roster.empty()) app.channels.erase(channel);
}

std::size_t LocalContributions::addSubscription(const std::string& appId, const std::string& channel) {
    return ++apps_[appId].channels[channel].subscriptions;
}

std::size_t LocalContributions::removeSubscription(const std::string& appId, const std::string& channel) {
    const auto app = apps_.find(appId);
    if (app == apps_.end()) return 0;
    const auto it = app->second.channels.find(channel);
    if (it == app->second.channels.end()) return 0;
    if (it->second.subscriptions > 0) --it->second.subscriptions;
    const std::size_t left = it->second.subscriptions;
    eraseIfUnused(app->second, it);
    return left;
}

void LocalContributions::joinPresence(const std::string& appId, const std::string& channel,
                                      const state::PresenceMember& member) {
    auto& roster = apps_[appId].channels[channel].roster;
    const auto present = std::find_if(roster.begin(), roster.end(),
                                      [&](const Member& m) { return m.member.userKey == member.userKey; });
    if (present != roster.end()) {
        ++present->count;
    } else {
        roster.push_back(Member{member, 1});
    }
}

void LocalContributions::leavePresence(const std::string& appId, const std::string& channel,
                                       const std::string& userKey) {
    const auto app = apps_.find(appId);
    if (app == apps_.end()) return;
    const auto it = app->second.channels.find(channel);
    if (it == app->second.channels.end()) return;
    auto& roster = it->second.roster;
    const auto present = std::find_if(roster.begin(), roster.end(),
                                      [&](const Member& m) { return m.member.userKey == userKey; });
    if (present == roster.end()) return;
    if (--present->count == 0) roster.erase(present);
    eraseIfUnused(app->second, it);
}

bool LocalContributions::hasMember(const std::string& appId, const std::string& channel,
                                   const std::string& userKey) const {
    const Channel* c = find(appId, channel);
    return c && std::any_of(c->roster.begin(), c->roster.end(),
                            [&](const Member& m) { return m.member.userKey == userKey; });
}

std::vector<state::PresenceMember> LocalContributions::members(const std::string& appId,
                                                               const std::string& channel) const {
    std::vector<state::PresenceMember> out;
    if (const Channel* c = find(appId, channel)) {
        out.reserve(c->roster.size());
        for (const Member& m : c->roster) out.push_back(m.member);
    }
    return out;
}

void LocalContributions::addConnection(const std::string& appId) { ++apps_[appId].connections; }

void LocalContributions::removeConnection(const std::string& appId) {
    const auto app = apps_.find(appId);
    if (app != apps_.end() && app->second.connections > 0) --app->second.connections;
}

std::size_t LocalContributions::connections(const std::string& appId) const {
    const auto app = apps_.find(appId);
    return app == apps_.end() ? 0 : app->second.connections;
}

LocalContributions::Snapshot LocalContributions::snapshot() const {
    Snapshot s;
    for (const auto& [appId, app] : apps_) {
        if (app.connections > 0) s.connections.push_back({appId, app.connections});
        for (const auto& [name, channel] : app.channels) {
            if (channel.subscriptions > 0) s.subscriptions.push_back({appId, name, channel.subscriptions});
            for (const Member& m : channel.roster) s.memberships.push_back({appId, name, m.member, m.count});
        }
    }
    return s;
}

}  // namespace resound::redis
