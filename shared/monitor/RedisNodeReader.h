#pragma once
// Reads the bundle's node registry from Redis with Poco::Redis::Client: Redis TIME, the nodes
// heard from recently (ZRANGEBYSCORE resound:nodes), and their stats hashes in one pipeline.
// Connects on first use and again after any failure (the caller paces retries, see ClusterPoller).
// One thread only (the poller's): Poco's client is not thread-safe.
#include <Poco/Redis/Client.h>

#include <chrono>
#include <cstdint>
#include <memory>

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
    };

    RedisNodeReader(config::RedisConfig redis, Options options);
    ~RedisNodeReader();

    // Never throws: a failure comes back as redisUp = false with the reason, and the connection is
    // dropped so the next call reconnects.
    ClusterSnapshot read();
    std::uint64_t reconnects() const { return reconnects_; }

  private:
    void connect();

    config::RedisConfig redis_;
    Options options_;
    std::unique_ptr<Poco::Redis::Client> client_;
    std::uint64_t connects_ = 0;
    std::uint64_t reconnects_ = 0;
};

}  // namespace resound::monitor
