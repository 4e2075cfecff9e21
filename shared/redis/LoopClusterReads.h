#pragma once
// state::ClusterReads over one event loop's own Redis connection (a LoopLink): the HTTP API's GET reads
// in the bundle, and an edge loop's presence and cache reads (RedisLoopClusterState). Each read's
// commands and the reading of their replies are kept once, shared with the blocking reads
// (RedisClusterState): ChannelCountsRead, PresenceMembersRead, CachedEventRead, ConnectionCountRead and
// the ListChannels script. Here they are queued with whatever else the loop sends this iteration, so
// the loop never waits for them. Answers come on the loop, in order, when Redis gave them; nullopt
// when it did not (down, hung: within the link's ioTimeout) or answered with an error. Loop thread
// only; the link must outlive it.
#include "redis/ClusterScripts.h"
#include "redis/LoopLink.h"
#include "state/ClusterReads.h"

namespace resound::redis {

class LoopClusterReads final : public state::ClusterReads {
  public:
    explicit LoopClusterReads(LoopLink& link) : link_(link) {}

    void channels(const std::string& appId, const std::string& prefix,
                  Done<std::vector<state::ChannelSummary>> done) override;
    void channel(const std::string& appId, const std::string& name,
                 Done<state::ChannelSummary> done) override;
    void presenceMembers(const std::string& appId, const std::string& channel,
                         Done<std::vector<state::PresenceMember>> done) override;
    void cachedEvent(const std::string& appId, const std::string& channel,
                     Done<std::optional<state::CachedEvent>> done) override;
    void connectionCount(const std::string& appId, Done<std::size_t> done) override;

  private:
    void listChannels(scripts::ListChannels call, bool mayRetry,
                      Done<std::vector<state::ChannelSummary>> done);

    LoopLink& link_;
};

}  // namespace resound::redis
