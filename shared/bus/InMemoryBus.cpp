#include "bus/InMemoryBus.h"

namespace resound::bus {

bool InMemoryBus::publish(BusMessagePtr message) {
    for (const auto& receiver : receivers_) receiver(message);
    return true;
}

void InMemoryBus::addReceiver(Receiver receiver) { receivers_.push_back(std::move(receiver)); }

}  // namespace resound::bus
