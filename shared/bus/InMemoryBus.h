#pragma once
// The embedded bus: hands every message to every receiver (one per event loop) in this process.
// Receivers are added before the loops start; publish() may then be called from any thread.
#include <vector>

#include "bus/Bus.h"

namespace resound::bus {

class InMemoryBus : public Bus {
  public:
    bool publish(BusMessagePtr message) override;
    void addReceiver(Receiver receiver) override;

  private:
    std::vector<Receiver> receivers_;
};

}  // namespace resound::bus
