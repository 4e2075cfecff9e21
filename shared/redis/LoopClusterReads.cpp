#include "redis/LoopClusterReads.h"

#include <spdlog/spdlog.h>

#include <memory>
#include <span>

#include "redis/CachedEventRead.h"
#include "redis/ChannelCountsRead.h"
#include "redis/ClusterScripts.h"
#include "redis/ConnectionCountRead.h"
#include "redis/PresenceMembersRead.h"

namespace resound::redis {
namespace {

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

// Sends `read`'s two commands in order, and answers `done` with `reading(read, firstReply,
// secondReply)`: nullopt when either went unanswered or the reading found them unusable. `read` is
// kept until the answer (its commands view its own keys).
template <typename T, typename Read, typename Reading>
void readPair(LoopLink& link, std::shared_ptr<const Read> read, std::span<const std::string_view> first,
              std::span<const std::string_view> second, Reading reading, state::ClusterReads::Done<T> done) {
    auto firstReply = std::make_shared<std::optional<RespValue>>();
    link.command(first, [firstReply](std::optional<RespValue> reply) { *firstReply = std::move(reply); });
    link.command(second, [read = std::move(read), firstReply, reading = std::move(reading),
                          done = std::move(done)](std::optional<RespValue> secondReply) {
        if (!*firstReply || !secondReply) {
            done(std::nullopt);
            return;
        }
        done(answerOf([&]() -> T { return reading(*read, std::move(**firstReply), *secondReply); }));
    });
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
        done(std::move(listed.answer));
    });
}

void LoopClusterReads::channel(const std::string& appId, const std::string& name,
                               Done<state::ChannelSummary> done) {
    auto read = std::make_shared<const ChannelCountsRead>(appId, name);
    readPair<state::ChannelSummary>(
        link_, read, read->subscriptionsCommand(), read->usersCommand(),
        [](const ChannelCountsRead& r, const RespValue& subscriptions, const RespValue& users) {
            auto summary = r.summary(subscriptions, users);
            return summary ? std::move(*summary) : state::ChannelSummary{r.channel(), 0, 0};  // unoccupied
        },
        std::move(done));
}

void LoopClusterReads::presenceMembers(const std::string& appId, const std::string& channel,
                                       Done<std::vector<state::PresenceMember>> done) {
    auto read = std::make_shared<const PresenceMembersRead>(appId, channel);
    readPair<std::vector<state::PresenceMember>>(
        link_, read, read->orderCommand(), read->infoCommand(),
        [](const PresenceMembersRead& r, const RespValue& order, const RespValue& info) {
            return r.members(order, info);
        },
        std::move(done));
}

void LoopClusterReads::cachedEvent(const std::string& appId, const std::string& channel,
                                   Done<std::optional<state::CachedEvent>> done) {
    auto read = std::make_shared<const CachedEventRead>(appId, channel);
    readPair<std::optional<state::CachedEvent>>(
        link_, read, read->valueCommand(), read->ttlCommand(),
        [](const CachedEventRead& r, RespValue value, const RespValue& ttl) {
            return r.event(std::move(value), ttl);
        },
        std::move(done));
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
