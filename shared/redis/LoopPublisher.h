#pragma once
// api::LoopBackend over one event loop's own Redis connection (a LoopLink): the HTTP API's cache
// stores and PUBLISHes (api service) and the protocol's publishes (edges: client events, presence
// changes, subscription counts, through edge::BackendPublishingBus) are queued while the loop works and
// written together at the end of the iteration, so what arrived together shares one round trip, in
// the order the loop published, and the loop never waits for Redis. A step that asks for its channel's
// counts (the API's `info`) has them read right behind its PUBLISH (reads().channel), in the same
// round trip. A request is answered when Redis has answered all of its PUBLISHes and reads (refused at once
// while Redis is down and between reconnect attempts; after ioTimeout when it hangs). After a hang a publish
// goes out behind the link's probe PING instead of being refused while the probe is unanswered: the first
// publish once Redis is back succeeds. The wire form is RedisBus's (BusCodec on resound:{app}:ch:{channel};
// cache keys of KeySchema), so edges cannot tell the two publishers apart. Loop thread only.
#include <cstdint>
#include <string>
#include <vector>

#include "api/LoopBackend.h"
#include "loop/EventLoop.h"
#include "redis/ConnectionOptions.h"
#include "redis/LoopClusterReads.h"
#include "redis/LoopLink.h"

namespace resound::redis {

class LoopPublisher final : public api::LoopBackend {
  public:
    LoopPublisher(loop::EventLoop& loop, ConnectionOptions options);

    void publish(std::vector<api::PublishStep> steps, Done done) override;
    void flush() override { link_.flush(); }
    state::ClusterReads* reads() override { return &reads_; }

    const LoopLink& link() const { return link_; }
    std::uint64_t published() const { return published_; }       // PUBLISHes Redis acknowledged
    std::uint64_t publishFailures() const { return failures_; }  // refused, timed out or an error reply

  private:
    LoopLink link_;
    LoopClusterReads reads_{link_};
    std::string topic_;    // scratch: the PUBLISH channel
    std::string payload_;  // scratch: the encoded message
    std::uint64_t published_ = 0;
    std::uint64_t failures_ = 0;
};

}  // namespace resound::redis
