#pragma once
// Reads the bundle's node registry from Redis with Poco::Redis::Client: Redis TIME, the nodes
// heard from recently (ZRANGEBYSCORE resound:nodes), and their stats hashes in one pipeline.
// Connects on first use and again after any failure (the caller paces retries, see ClusterPoller).
// One thread only (the poller's): Poco's client is not thread-safe.
#include <Poco/Redis/Client.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "config/Config.h"
#include "monitor/ClusterReport.h"

namespace resound::monitor {

class RedisNodeReader {
  public:
    struct Options {
        std::chrono::milliseconds connectTimeout{2000};
        std::chrono::milliseconds ioTimeout{2000};
        // Nodes silent for longer are left out altogether (restarted replicas get new ids; without this
        // the list would only grow). Until then a silent node is reported as down.
        std::chrono::seconds forgetAfter{900};
        // The reaper removes a dead node from resound:nodes about a lease (10 s) after its last
        // heartbeat; a node that leaves cleanly (or moves to a new id after a Redis restart) goes while
        // its heartbeat is fresh. A node that vanishes after its heartbeat was seen this old is taken
        // for dead and kept in the report (reaped, down) until forgetAfter.
        std::chrono::milliseconds diedIfSilentFor{5000};
    };

    RedisNodeReader(config::RedisConfig redis, Options options);
    ~RedisNodeReader();

    // Never throws: a failure comes back as redisUp = false with the reason, and the connection is
    // dropped so the next call reconnects.
    ClusterSnapshot read();
    std::uint64_t reconnects() const { return reconnects_; }

  private:
    void connect();
    void rememberVanished(ClusterSnapshot& snapshot);

    config::RedisConfig redis_;
    Options options_;
    std::unique_ptr<Poco::Redis::Client> client_;
    std::map<std::string, NodeStats> lastSeen_;  // the previous successful read, by node id
    std::map<std::string, NodeStats> vanished_;  // reaped nodes still reported as down
    std::int64_t lastReadMs_ = 0;
    std::uint64_t connects_ = 0;
    std::uint64_t reconnects_ = 0;
};

}  // namespace resound::monitor
