#pragma once
// RedisClusterState as one event loop uses it (state::LoopClusterState): the same scripts, local view
// and failure rules, sent on the loop's own LoopLink, so a loop never waits for Redis: the calls of
// one iteration share one round trip, and each answer runs its callback on the loop when Redis has
// given it (nullopt after ioTimeout or while the link is down: answered from the local view, and the
// node resyncs, as for a failed synchronous call). A call that arrives while the NodeLease thread
// resyncs is answered from the local view at once and registered by the next resync. A connection
// without a limit is admitted whatever Redis says, so it is answered at once; its count is gathered
// per app and sent as one call per iteration. Loop thread only.
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "loop/EventLoop.h"
#include "redis/ClusterScripts.h"
#include "redis/LoopClusterReads.h"
#include "redis/LoopLink.h"
#include "redis/RedisClusterState.h"
#include "state/LoopClusterState.h"

namespace resound::redis {

class RedisLoopClusterState final : public state::LoopClusterState {
  public:
    RedisLoopClusterState(RedisClusterState& state, loop::EventLoop& loop, ConnectionOptions options);
    // Mutations still unanswered stop counting as in flight (a resync must not wait for them).
    ~RedisLoopClusterState() override;

    void addSubscription(const std::string& appId, const std::string& channel,
                         Done<std::size_t> done) override;
    void removeSubscription(const std::string& appId, const std::string& channel,
                            Done<std::size_t> done) override;
    void joinPresence(const std::string& appId, const std::string& channel,
                      const state::PresenceMember& member, std::size_t maxMembers,
                      Done<state::PresenceJoin> done) override;
    void leavePresence(const std::string& appId, const std::string& channel, const std::string& userKey,
                       Done<bool> done) override;
    void presenceMembers(const std::string& appId, const std::string& channel,
                         Done<std::vector<state::PresenceMember>> done) override;
    void cachedEvent(const std::string& appId, const std::string& channel,
                     Done<std::optional<state::CachedEvent>> done) override;
    void tryAddConnection(const std::string& appId, std::size_t limit, Done<bool> done) override;
    void removeConnection(const std::string& appId) override;
    void flush() override;

    const LoopLink& link() const { return link_; }

  private:
    // Passes the resync gate without waiting: false while a resync runs (answer locally), else counts
    // the mutation in flight until finished() and gives the node id to send.
    bool begin(std::string& nodeId);
    void finished();
    std::int64_t fence() const;

    // Sends a typed script call; `onResult(ScriptResult<Call::Answer>)` runs on the loop with its
    // parsed reply (NoAnswer after ioTimeout or while the link is down).
    template <typename Call, typename OnResult>
    void send(const Call& call, OnResult onResult) {
        link_.eval(call.encode(), [onResult = std::move(onResult)](std::optional<RespValue> reply) mutable {
            onResult(scripts::parseReply<Call>(reply));
        });
    }
    // The result of a call that was never sent (a resync runs): answered from the local view.
    template <typename Call>
    static ScriptResult<typename Call::Answer> notSent() {
        return ScriptResult<typename Call::Answer>::failure(ScriptStatus::NoAnswer, "a resync is running");
    }

    // Every mutation: `call` comes without its nodeId and fenceMs (known only once the resync gate is
    // passed); `finish(result)` updates the local view and gives the answer; `done(answer)` runs after
    // the mutation stopped counting as in flight. While a resync runs the call is not sent and
    // `finish` answers from the local view at once.
    template <typename Call, typename Finish, typename OnAnswer>
    void mutate(Call call, Finish finish, OnAnswer done) {
        if (!begin(call.nodeId)) {
            done(finish(notSent<Call>()));
            return;
        }
        call.fenceMs = fence();
        send(call, [this, finish = std::move(finish), done = std::move(done)](auto result) mutable {
            auto answer = finish(std::move(result));
            finished();
            done(std::move(answer));
        });
    }
    // A mutation nobody waits for: `finish(result)` only updates the local view.
    template <typename Call, typename Finish>
    void mutate(Call call, Finish finish) {
        mutate(
            std::move(call),
            [finish = std::move(finish)](auto result) {
                finish(std::move(result));
                return std::monostate{};
            },
            [](std::monostate) {});
    }

    // Sends the connection counts without a limit gathered this iteration for `appId` (one script call
    // with count n; its result counts n connections in the local view).
    void sendUnlimitedAdds(std::string appId);

    RedisClusterState& state_;
    std::size_t inflight_ = 0;  // this loop's share of state_.inflight_
    // Admissions without a quota are established at once and only counted: one iteration's count per
    // app goes to Redis as one script call at flush() (or before a removeConnection of that app, so
    // Redis sees them in the order they happened).
    std::vector<std::pair<std::string, std::size_t>> unlimitedAdds_;
    LoopLink link_;
    LoopClusterReads reads_{link_};  // presence and cache reads, on the same connection
};

}  // namespace resound::redis
