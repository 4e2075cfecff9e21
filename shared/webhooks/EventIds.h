#pragma once
// Ids for webhook events as they are accepted: "<16 random hex digits>-<counter>", the random part
// drawn once per source (process), so ids from different edges, restarts or the embedded server never
// collide and need no coordination. Any thread.
#include <atomic>
#include <cstdint>
#include <string>

namespace resound::webhooks {

class EventIds {
  public:
    explicit EventIds(std::string prefix = {});  // empty: a random prefix (tests pin one)
    std::string next();

  private:
    std::string prefix_;
    std::atomic<std::uint64_t> counter_{0};
};

// Unix milliseconds now (the system clock).
std::int64_t wallClockMs();

}  // namespace resound::webhooks
