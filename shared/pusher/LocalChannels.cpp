#include "pusher/LocalChannels.h"

namespace resound::pusher {

std::string LocalChannels::keyOf(std::string_view appId, std::string_view name) {
    std::string key;
    key.reserve(appId.size() + 1 + name.size());
    key.append(appId).push_back('\n');  // '\n' is not allowed in app ids or channel names
    key.append(name);
    return key;
}

LocalChannel* LocalChannels::find(std::string_view appId, std::string_view name) {
    auto it = channels_.find(keyOf(appId, name));
    return it == channels_.end() ? nullptr : it->second.get();
}

std::size_t LocalChannels::indexOf(const Peer& peer, const LocalChannel* channel) {
    for (std::size_t i = 0; i < peer.subscriptions.size(); ++i) {
        if (peer.subscriptions[i].channel == channel) return i;
    }
    return peer.subscriptions.size();
}

LocalChannel* LocalChannels::subscribe(Peer& peer, const std::string& appId, const std::string& name,
                                       std::shared_ptr<const state::PresenceMember> presence, bool& created) {
    auto [it, inserted] = channels_.try_emplace(keyOf(appId, name));
    if (inserted) {
        it->second = std::make_unique<LocalChannel>();
        it->second->appId = appId;
        it->second->name = name;
    }
    created = inserted;
    LocalChannel* channel = it->second.get();
    peer.subscriptions.push_back(
        Subscription{channel, static_cast<std::uint32_t>(channel->subscribers.size()), std::move(presence)});
    channel->subscribers.push_back(&peer);
    return channel;
}

bool LocalChannels::unsubscribe(Peer& peer, std::size_t i, std::string& appId, std::string& name,
                                std::shared_ptr<const state::PresenceMember>& presence) {
    Subscription sub = std::move(peer.subscriptions[i]);
    peer.subscriptions[i] = std::move(peer.subscriptions.back());
    peer.subscriptions.pop_back();
    presence = std::move(sub.presence);

    LocalChannel* channel = sub.channel;
    auto& subscribers = channel->subscribers;
    // Swap-remove, then fix the moved peer's back-reference to its slot.
    Peer* moved = subscribers.back();
    subscribers[sub.slot] = moved;
    subscribers.pop_back();
    if (moved != &peer) {
        moved->subscriptions[indexOf(*moved, channel)].slot = sub.slot;
    }
    appId = channel->appId;
    name = channel->name;
    if (!subscribers.empty()) return false;
    channels_.erase(keyOf(appId, name));
    return true;
}

}  // namespace resound::pusher
