#pragma once
// The channels that have subscribers on one event loop, with two-way links (channel -> peers, peer ->
// subscriptions) so subscribe, unsubscribe and disconnect cost O(own subscriptions). Loop thread only.
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "pusher/Peer.h"

namespace resound::pusher {

struct LocalChannel {
    std::string appId;
    std::string name;
    std::vector<Peer*> subscribers;
};

class LocalChannels {
  public:
    LocalChannel* find(std::string_view appId, std::string_view name);
    // Adds peer to the channel (creating it). Returns the channel; `created` tells if it was new here.
    LocalChannel* subscribe(Peer& peer, const std::string& appId, const std::string& name,
                            std::shared_ptr<const state::PresenceMember> presence, bool& created);
    // Removes the subscription at index i of peer.subscriptions. Returns true if the channel became
    // empty here (it is destroyed; the caller gets its identity back through appId/name).
    bool unsubscribe(Peer& peer, std::size_t i, std::string& appId, std::string& name,
                     std::shared_ptr<const state::PresenceMember>& presence);
    static std::size_t indexOf(const Peer& peer, const LocalChannel* channel);
    std::size_t channelCount() const { return channels_.size(); }

  private:
    static std::string keyOf(std::string_view appId, std::string_view name);
    std::unordered_map<std::string, std::unique_ptr<LocalChannel>> channels_;
};

}  // namespace resound::pusher
