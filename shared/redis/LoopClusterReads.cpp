#include "redis/LoopClusterReads.h"

#include <spdlog/spdlog.h>

#include <memory>

#include "redis/CachedEventRead.h"
#include "redis/ChannelCountsRead.h"
#include "redis/ClusterScripts.h"
#include "redis/ConnectionCountRead.h"
#include "redis/PresenceMembersRead.h"
#include "redis/RedisClusterState.h"

namespace resound::redis {
namespace {

// Two commands answered in order: the first keeps its reply for the second, which answers `done`.
using FirstReply = std::shared_ptr<std::optional<RespValue>>;

LoopLink::Callback keep(const FirstReply& first) {
    return [first](std::optional<RespValue> reply) { *first = std::move(reply); };
}

// A read's reading of the replies it was answered; nullopt (logged) when Redis's answer was not usable,
// which the reading reports as state::StateUnavailable.
template <typename Reading>
auto answerOf(Reading reading) -> std::optional<decltype(reading())> {
    try {
        return reading();
    } catch (const state::StateUnavailable& e) {
        spdlog::warn("redis loop reads: {}", e.what());
        return std::nullopt;
    }
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
                      auto summary = answerOf([&] { return read->summary(**first, *users); });
                      if (!summary) {
                          done(std::nullopt);
                          return;
                      }
                      done(*summary ? std::move(**summary) : state::ChannelSummary{read->channel(), 0, 0});
                  });
}

void LoopClusterReads::presenceMembers(const std::string& appId, const std::string& channel,
                                       Done<std::vector<state::PresenceMember>> done) {
    auto read = std::make_shared<const PresenceMembersRead>(appId, channel);
    auto first = std::make_shared<std::optional<RespValue>>();
    link_.command(read->orderCommand(), keep(first));
    link_.command(read->infoCommand(), [read, first, done = std::move(done)](std::optional<RespValue> info) {
        if (!*first || !info) {
            done(std::nullopt);
            return;
        }
        done(answerOf([&] { return read->members(**first, *info); }));
    });
}

void LoopClusterReads::cachedEvent(const std::string& appId, const std::string& channel,
                                   Done<std::optional<state::CachedEvent>> done) {
    auto read = std::make_shared<const CachedEventRead>(appId, channel);
    auto first = std::make_shared<std::optional<RespValue>>();
    link_.command(read->valueCommand(), keep(first));
    link_.command(read->ttlCommand(), [read, first, done = std::move(done)](std::optional<RespValue> ttl) {
        if (!*first || !ttl) {
            done(std::nullopt);
            return;
        }
        done(answerOf([&] { return read->event(std::move(**first), *ttl); }));
    });
}

void LoopClusterReads::connectionCount(const std::string& appId, Done<std::size_t> done) {
    auto read = std::make_shared<const ConnectionCountRead>(appId);
    link_.command(read->command(), [read, done = std::move(done)](std::optional<RespValue> reply) {
        if (!reply) {
            done(std::nullopt);
            return;
        }
        done(answerOf([&] { return read->count(*reply); }));
    });
}

}  // namespace resound::redis
