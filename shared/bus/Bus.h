#pragma once
// The fan-out bus between publishers (HTTP API, client events, presence changes) and the event loops
// that hold subscribers. Thread-safe: any thread may publish.
#include <functional>
#include <string>

#include "bus/BusMessage.h"

namespace resound::bus {

class Bus {
  public:
    virtual ~Bus() = default;

    // Hands the message to every receiver (all loops of this process, and other processes in Redis
    // mode). Returns false if it could not be handed on (e.g. Redis down) - callers must not report
    // success then.
    virtual bool publish(BusMessagePtr message) = 0;

    // A receiver is called on the publisher's thread or the bus's thread; it must only enqueue.
    using Receiver = std::function<void(const BusMessagePtr&)>;
    virtual void addReceiver(Receiver receiver) = 0;

    // Interest management: a loop announces the first local subscriber of a channel and the last one
    // leaving, so a distributed bus can route only the traffic a process needs. No-ops in memory.
    virtual void addInterest(const std::string& appId, const std::string& channel) {}
    virtual void removeInterest(const std::string& appId, const std::string& channel) {}
    // addInterest without waiting: `confirmed` runs once the bus delivers the channel's messages
    // published from then on (or it never will: an outage), at once in memory, else on the bus's
    // thread. A later removeInterest pairs with it as with addInterest.
    virtual void addInterestThen(const std::string& appId, const std::string& channel,
                                 std::function<void()> confirmed) {
        addInterest(appId, channel);
        confirmed();
    }
};

}  // namespace resound::bus
