#pragma once
// The cluster-wide reads behind the HTTP API's GET endpoints (/channels, /channels/{name},
// /channels/{name}/users, /connections), for an event loop that must not wait on them: each answer
// runs its callback on the loop, later (never inside the call). nullopt means the cluster's state
// could not be read (as ClusterState's StateUnavailable: the API answers 503). The bundle's loops read
// over their own Redis connection (redis::LoopClusterReads); the embedded server has none and reads its
// thread-safe ClusterState directly. Loop thread only.
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "state/ClusterState.h"

namespace resound::state {

class ClusterReads {
  public:
    template <typename T>
    using Done = std::function<void(std::optional<T>)>;

    virtual ~ClusterReads() = default;

    // Occupied channels whose name starts with `prefix`, sorted by name.
    virtual void channels(const std::string& appId, const std::string& prefix,
                          Done<std::vector<ChannelSummary>> done) = 0;
    // The channel's counts; zeros when nobody is subscribed.
    virtual void channel(const std::string& appId, const std::string& name, Done<ChannelSummary> done) = 0;
    virtual void presenceMembers(const std::string& appId, const std::string& channel,
                                 Done<std::vector<PresenceMember>> done) = 0;
    // The cache channel's last event, or an empty optional when none is kept.
    virtual void cachedEvent(const std::string& appId, const std::string& channel,
                             Done<std::optional<CachedEvent>> done) = 0;
    virtual void connectionCount(const std::string& appId, Done<std::size_t> done) = 0;
};

}  // namespace resound::state
