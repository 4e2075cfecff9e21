#include "redis/LoopClusterReads.h"

#include <spdlog/spdlog.h>

#include <memory>

#include "redis/ChannelCountsRead.h"
#include "redis/ClusterScripts.h"
#include "redis/KeySchema.h"
#include "redis/RedisClusterState.h"

namespace resound::redis {
namespace {

// Two commands answered in order: the first keeps its reply for the second, which answers `done`.
using FirstReply = std::shared_ptr<std::optional<RespValue>>;

LoopLink::Callback keep(const FirstReply& first) {
    return [first](std::optional<RespValue> reply) { *first = std::move(reply); };
}

}  // namespace

void LoopClusterReads::channels(const std::string& appId, const std::string& prefix,
                                Done<std::vector<state::ChannelSummary>> done) {
    listChannels(scripts::ListChannels{appId, prefix}, true, std::move(done));
}

void LoopClusterReads::listChannels(scripts::ListChannels call, bool mayRetry,
                                    Done<std::vector<state::ChannelSummary>> done) {
    const ScriptCall encoded = call.encode();
    link_.eval(encoded, [this, call = std::move(call), mayRetry,
                         done = std::move(done)](std::optional<RespValue> reply) mutable {
        // Someone flushed the scripts: the link loads it again on its next use, as the blocking
        // client's runScript retries once.
        if (mayRetry && reply && reply->isErrorCode("NOSCRIPT")) {
            listChannels(std::move(call), false, std::move(done));
            return;
        }
        auto listed = scripts::parseReply<scripts::ListChannels>(reply);
        if (!listed.ok()) {
            if (listed.status != ScriptStatus::NoAnswer)
                spdlog::error("listing channels failed: {}", listed.error);
            done(std::nullopt);
            return;
        }
        RedisClusterState::sortByName(listed.answer);
        done(std::move(listed.answer));
    });
}

void LoopClusterReads::channel(const std::string& appId, const std::string& name,
                               Done<state::ChannelSummary> done) {
    auto read = std::make_shared<const ChannelCountsRead>(appId, name);
    auto first = std::make_shared<std::optional<RespValue>>();
    link_.command(read->subscriptionsCommand(), keep(first));
    link_.command(read->usersCommand(),
                  [read, first, done = std::move(done)](std::optional<RespValue> users) {
                      if (!*first || !users) {
                          done(std::nullopt);
                          return;
                      }
                      try {
                          auto summary = read->summary(**first, *users);
                          done(summary ? std::move(*summary) : state::ChannelSummary{read->channel(), 0, 0});
                      } catch (const state::StateUnavailable& e) {
                          spdlog::warn("redis loop reads: {}", e.what());
                          done(std::nullopt);
                      }
                  });
}

void LoopClusterReads::presenceMembers(const std::string& appId, const std::string& channel,
                                       Done<std::vector<state::PresenceMember>> done) {
    auto first = std::make_shared<std::optional<RespValue>>();
    link_.command({"ZRANGE", keys::presenceOrder(appId, channel), "0", "-1"}, keep(first));
    link_.command({"HGETALL", keys::presenceInfo(appId, channel)},
                  [first, done = std::move(done)](std::optional<RespValue> info) {
                      if (*first && info) {
                          if (auto members = RedisClusterState::parseMembers(**first, *info)) {
                              done(std::move(*members));
                              return;
                          }
                          spdlog::warn("redis loop reads: the presence roster's replies are not usable");
                      }
                      done(std::nullopt);
                  });
}

void LoopClusterReads::cachedEvent(const std::string& appId, const std::string& channel,
                                   Done<std::optional<state::CachedEvent>> done) {
    const std::string key = keys::cache(appId, channel);
    auto first = std::make_shared<std::optional<RespValue>>();
    link_.command({"GET", key}, keep(first));
    link_.command({"PTTL", key}, [first, done = std::move(done)](std::optional<RespValue> ttl) {
        if (!*first || !ttl || (*first)->isError() || ttl->isError()) {
            done(std::nullopt);
            return;
        }
        done(RedisClusterState::parseCachedEvent(**first, *ttl));
    });
}

void LoopClusterReads::connectionCount(const std::string& appId, Done<std::size_t> done) {
    link_.command({"GET", keys::connections(appId)},
                  [done = std::move(done)](std::optional<RespValue> reply) {
                      done(RedisClusterState::parseConnectionCount(reply));
                  });
}

}  // namespace resound::redis
