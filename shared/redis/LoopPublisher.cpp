#include "redis/LoopPublisher.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <memory>
#include <string_view>

#include "redis/BusCodec.h"
#include "redis/CacheStoreCommand.h"

namespace resound::redis {
namespace {

// One request's publishes (and counts reads): answered when the last of its replies is in.
struct Batch {
    api::PublishReport report;
    std::size_t unanswered = 0;
    api::LoopBackend::Done done;

    void answered() {
        if (--unanswered == 0) done(report);
    }
};

}  // namespace

LoopPublisher::LoopPublisher(loop::EventLoop& loop, ConnectionOptions options)
    : link_(loop, std::move(options), "redis loop publisher", LoopLink::AfterHang::QueueBehindProbe) {}

void LoopPublisher::publish(std::vector<api::PublishStep> steps, Done done) {
    auto batch = std::make_shared<Batch>();
    batch->report.acknowledged.assign(steps.size(), false);
    batch->unanswered = steps.size();
    batch->done = std::move(done);
    if (steps.empty()) {
        // Nothing to wait for, yet the answer must still come later than publish(): a PING carries it.
        link_.command({"PING"}, [batch](std::optional<RespValue>) { batch->done(batch->report); });
        return;
    }
    const bool anyCounts =
        std::any_of(steps.begin(), steps.end(), [](const api::PublishStep& s) { return s.readCounts; });
    if (anyCounts) batch->report.counts.resize(steps.size());
    for (std::size_t i = 0; i < steps.size(); ++i) {
        const bus::BusMessage& message = *steps[i].message;
        if (steps[i].cache) {
            // Its reply is not waited for (as RedisClusterState::storeCachedEvent's is not): the
            // PUBLISH behind it on the same connection says whether Redis took them.
            const CacheStoreCommand store(message.appId, message.channel, steps[i].cache->eventJson,
                                          steps[i].cache->ttlSeconds);
            link_.command(store.args(), {});
        }
        assignTopicOf(message, topic_);
        payload_.clear();
        encodeBusMessage(message, payload_);
        link_.command({"PUBLISH", topic_, payload_}, [this, batch, i](std::optional<RespValue> reply) {
            const bool acknowledged = reply && !reply->isError();
            if (acknowledged) {
                ++published_;
            } else {
                ++failures_;
                if (reply) spdlog::warn("redis PUBLISH refused: {}", reply->text);
            }
            batch->report.acknowledged[i] = acknowledged;
            batch->answered();
        });
        if (steps[i].readCounts) {
            // The GET endpoint's read, queued right behind this PUBLISH on the same connection.
            ++batch->unanswered;
            reads_.channel(message.appId, message.channel,
                           [batch, i](std::optional<state::ChannelSummary> counts) {
                               batch->report.counts[i] = std::move(counts);
                               batch->answered();
                           });
        }
    }
}

}  // namespace resound::redis
