#pragma once
// An event loop's link to the cluster: where the HTTP API hands its publishes (events,
// terminate_connections) and, through reads(), its cluster-state reads when it must not wait for them,
// and where an edge loop's protocol publishes go (edge::BackendPublishingBus). The bundle's services
// give each I/O thread one backed by the loop's own Redis connection (redis::LoopPublisher), so what
// arrives together shares one round trip and the loop never blocks on Redis. The embedded server has
// none and publishes synchronously on its in-memory bus.
// Owned and used by one event loop; `done` runs on that loop.
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "bus/BusMessage.h"
#include "state/ClusterReads.h"
#include "state/ClusterState.h"

namespace resound::api {

// A cache channel's last event, stored before it is published (ttl 0 or less: the entry is removed).
struct CacheStore {
    std::string eventJson;
    int ttlSeconds = 0;
};

// One message to publish, with what must be stored before it (cache channels), and whether the
// channel's counts are wanted once it is published (the request's `info`): the backend reads them in the
// same round trip, so the loop never waits on a second one.
struct PublishStep {
    bus::BusMessagePtr message;
    std::optional<CacheStore> cache;
    bool readCounts = false;
};

// Which steps the bus acknowledged, in the order they were given.
struct PublishReport {
    std::vector<bool> acknowledged;
    // Per step, for those that asked readCounts: the channel's counts read after its publish (zeros
    // when nobody is subscribed), or nullopt when they could not be read. Empty when none asked.
    std::vector<std::optional<state::ChannelSummary>> counts;
    bool all() const {
        for (bool ok : acknowledged) {
            if (!ok) return false;
        }
        return true;
    }
};

class LoopBackend {
  public:
    using Done = std::function<void(const PublishReport&)>;
    virtual ~LoopBackend() = default;

    // Hands the steps over in order (each cache store before its publish, each counts read after it).
    // `done` runs exactly once,
    // later (never inside publish()), on the owning loop, when every step is answered: acknowledged,
    // refused or timed out. A backend destroyed first drops it uncalled (its loop is going away).
    virtual void publish(std::vector<PublishStep> steps, Done done) = 0;
    // End of a loop iteration: sends what this iteration handed over, together.
    virtual void flush() = 0;
    // The cluster-state reads that go over the same connection, sent with (and ordered after) this
    // loop's publishes; the HTTP API's GET endpoints use them. nullptr: none (read ClusterState).
    virtual state::ClusterReads* reads() { return nullptr; }
};

}  // namespace resound::api
