#pragma once
// bus::Bus over Redis pub/sub, for scale-out mode. publish() sends one PUBLISH per message on the
// shared CommandClient (bounded by its timeouts; false when Redis is unreachable). A Subscriber thread
// receives only the control topics of the configured apps and the channels some local loop is
// interested in, decodes each message once and hands the same BusMessagePtr to every receiver.
// A process's own publishes come back through Redis like everyone else's: never delivered locally.
// Thread-safe; receivers run on the subscriber thread and must only enqueue.
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "bus/Bus.h"
#include "redis/CommandClient.h"
#include "redis/Subscriber.h"

namespace resound::redis {

struct RedisBusOptions {
    std::vector<std::string> appIds;  // resound:{app}:control is subscribed for each
    SubscriberOptions subscriber;     // permanentTopics is filled from appIds
};

class RedisBus final : public bus::Bus {
  public:
    struct Counters {
        std::uint64_t published = 0;        // PUBLISH answered by Redis
        std::uint64_t publishFailures = 0;  // publish() returned false
        std::uint64_t received = 0;         // messages decoded and handed to receivers
        std::uint64_t decodeErrors = 0;     // payloads we could not decode (dropped)
        std::uint64_t reconnects = 0;       // subscriber connection re-established
        std::size_t channels = 0;           // channels with local interest
        bool connected = false;
    };

    // The subscriber connects with commands->options() on its own connection and thread.
    RedisBus(std::shared_ptr<CommandClient> commands, RedisBusOptions options);
    ~RedisBus() override;

    bool publish(bus::BusMessagePtr message) override;
    // May be called at any time; a receiver added later sees messages from then on.
    void addReceiver(Receiver receiver) override;
    // Blocks until Redis confirmed the SUBSCRIBE (bounded by SubscriberOptions::confirmWait) so that a
    // client told "subscription_succeeded" right after gets every event published from then on; not at
    // all while the command client finds Redis unreachable.
    void addInterest(const std::string& appId, const std::string& channel) override;
    void removeInterest(const std::string& appId, const std::string& channel) override;
    // Never waits: `confirmed` runs (on the subscriber thread, or at once) when Redis confirmed the
    // SUBSCRIBE, or when the subscriber finds Redis unreachable.
    void addInterestThen(const std::string& appId, const std::string& channel,
                         std::function<void()> confirmed) override;

    // Subscriber connected and every wanted topic confirmed (for /health).
    bool connected() const { return subscriber_->connected(); }
    Counters counters() const;
    // The subscriber is connected and Redis confirmed every wanted topic (edge readiness).
    bool subscribed() const;

  private:
    void onMessage(std::string&& payload);

    std::shared_ptr<CommandClient> commands_;

    std::mutex receiversMutex_;
    std::vector<Receiver> receivers_;
    std::atomic<std::uint64_t> receiversVersion_{0};
    // Subscriber thread only: its copy of receivers_, refreshed when the version moves.
    std::vector<Receiver> threadReceivers_;
    std::uint64_t threadReceiversVersion_ = 0;

    std::atomic<std::uint64_t> published_{0};
    std::atomic<std::uint64_t> publishFailures_{0};
    std::atomic<std::uint64_t> received_{0};
    std::atomic<std::uint64_t> decodeErrors_{0};

    std::unique_ptr<Subscriber> subscriber_;  // last: its thread stops before the rest is destroyed
};

}  // namespace resound::redis
