#pragma once
// Collects one webhook target's encoded events into request-sized batches: with a zero window every
// event is its own request (Pusher's default); with a window, the events that arrive within it of the
// first one share a request (Pusher's "batch webhooks"), at most maxEvents per request. Pure logic:
// time comes in as an argument. One thread (the dispatcher's router thread, or a test).
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "webhooks/EventReceipt.h"

namespace resound::webhooks {

// One event on its way to one target.
struct OutgoingEvent {
    std::string json;     // as it goes into the request body
    std::string id;       // the event's id
    std::string channel;  // events of one channel are delivered in order
    std::int64_t createdMs = 0;
    std::shared_ptr<EventReceipt> receipt;  // null when nothing waits for the outcome
    std::string name;  // channel_occupied, member_added, ...: what the debug console shows
};

class Batcher {
  public:
    using TimePoint = std::chrono::steady_clock::time_point;

    Batcher(std::chrono::milliseconds window, std::size_t maxEvents);

    void add(OutgoingEvent event, TimePoint now);
    // Moves the next ready batch into `out` (cleared first) and returns true, or returns false when none
    // is ready: the window since the oldest waiting event has not passed and the batch is not full.
    bool takeReady(TimePoint now, std::vector<OutgoingEvent>& out);
    // Moves everything waiting into `out` as one or more batches (shutdown).
    void takeAll(std::vector<std::vector<OutgoingEvent>>& out);

    std::optional<TimePoint> nextDue() const;
    std::size_t waiting() const { return events_.size(); }

  private:
    struct Waiting {
        OutgoingEvent event;
        TimePoint added;
    };
    std::chrono::milliseconds window_;
    std::size_t maxEvents_;
    std::deque<Waiting> events_;
};

}  // namespace resound::webhooks
