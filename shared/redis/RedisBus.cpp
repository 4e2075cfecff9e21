#include "redis/RedisBus.h"

#include <spdlog/spdlog.h>

#include "redis/BusCodec.h"
#include "redis/KeySchema.h"

namespace resound::redis {
namespace {

SubscriberOptions withControlTopics(const RedisBusOptions& options) {
    SubscriberOptions subscriber = options.subscriber;
    for (const std::string& appId : options.appIds)
        subscriber.permanentTopics.push_back(keys::controlTopic(appId));
    return subscriber;
}

}  // namespace

RedisBus::RedisBus(std::shared_ptr<CommandClient> commands, RedisBusOptions options)
    : commands_(std::move(commands)) {
    subscriber_ = std::make_unique<Subscriber>(
        commands_->options(), withControlTopics(options),
        [this](std::string_view, std::string&& payload) { onMessage(std::move(payload)); });
}

RedisBus::~RedisBus() { subscriber_.reset(); }

bool RedisBus::publish(bus::BusMessagePtr message) {
    if (!message) return false;
    thread_local std::string topic;
    thread_local std::string payload;
    assignTopicOf(*message, topic);
    payload.clear();
    encodeBusMessage(*message, payload);
    const auto reply = commands_->command({"PUBLISH", topic, payload});
    if (!reply || reply->isError()) {
        publishFailures_.fetch_add(1, std::memory_order_relaxed);
        if (reply) spdlog::warn("redis PUBLISH refused: {}", reply->text);
        return false;
    }
    published_.fetch_add(1, std::memory_order_relaxed);
    return true;
}

void RedisBus::addReceiver(Receiver receiver) {
    std::lock_guard lock(receiversMutex_);
    receivers_.push_back(std::move(receiver));
    receiversVersion_.fetch_add(1, std::memory_order_release);
}

void RedisBus::addInterest(const std::string& appId, const std::string& channel) {
    // While commands fail (Redis down or hung) the subscriber's link is in the same state, or about to
    // find out (ping timeout): waiting for a confirmation that cannot come would stall the caller.
    subscriber_->add(keys::channelTopic(appId, channel), commands_->available());
}

void RedisBus::addInterestThen(const std::string& appId, const std::string& channel,
                               std::function<void()> confirmed) {
    subscriber_->add(keys::channelTopic(appId, channel), std::move(confirmed));
}

void RedisBus::removeInterest(const std::string& appId, const std::string& channel) {
    subscriber_->remove(keys::channelTopic(appId, channel));
}

void RedisBus::onMessage(std::string&& payload) {
    bus::BusMessagePtr message = decodeBusMessage(std::move(payload));
    if (!message) {
        if (decodeErrors_.fetch_add(1, std::memory_order_relaxed) == 0)
            spdlog::warn("redis bus dropped a message it cannot decode (logged once)");
        return;
    }
    const std::uint64_t version = receiversVersion_.load(std::memory_order_acquire);
    if (version != threadReceiversVersion_) {
        std::lock_guard lock(receiversMutex_);
        threadReceivers_ = receivers_;
        threadReceiversVersion_ = receiversVersion_.load(std::memory_order_relaxed);
    }
    received_.fetch_add(1, std::memory_order_relaxed);
    for (const Receiver& receiver : threadReceivers_) receiver(message);
}

bool RedisBus::subscribed() const { return subscriber_->connected(); }

RedisBus::Counters RedisBus::counters() const {
    Counters c;
    c.published = published_.load(std::memory_order_relaxed);
    c.publishFailures = publishFailures_.load(std::memory_order_relaxed);
    c.received = received_.load(std::memory_order_relaxed);
    c.decodeErrors = decodeErrors_.load(std::memory_order_relaxed);
    c.reconnects = subscriber_->reconnects();
    c.channels = subscriber_->topicCount();
    c.connected = subscriber_->connected();
    return c;
}

}  // namespace resound::redis
