#pragma once
// Pusher's leave grace period: channel_vacated and member_removed are held for the app's grace time and
// dropped, together with the channel_occupied / member_added that cancels them, when the channel is
// re-occupied or the user rejoins within it; so a page reload produces no leave/join pair. Pure logic:
// time comes in as an argument. One thread (the dispatcher's router thread, or a test).
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "webhooks/EventReceipt.h"
#include "webhooks/WebhookSink.h"

namespace resound::webhooks {

// An event of one app; `app` is the dispatcher's index of the app (its id is unique, so is the index).
struct AppEvent {
    std::size_t app = 0;
    WebhookEvent event;
    std::shared_ptr<EventReceipt> receipt;  // bundle: its claim in Redis; null in the embedded server
};

class GracePeriodFilter {
  public:
    using TimePoint = std::chrono::steady_clock::time_point;

    // Returns the event when it is to be passed on now; nullopt when it is held (vacated / removed) or
    // when it cancelled a held one (occupied / added). A zero grace passes everything through.
    std::optional<AppEvent> offer(AppEvent event, std::chrono::milliseconds grace, TimePoint now);
    // Appends the held events whose grace has run out, oldest due first.
    void releaseDue(TimePoint now, std::vector<AppEvent>& out);
    // Appends every held event (shutdown).
    void releaseAll(std::vector<AppEvent>& out);

    std::optional<TimePoint> nextDue() const;
    std::size_t heldCount() const { return held_.size(); }
    std::uint64_t cancelledPairs() const { return cancelledPairs_; }

  private:
    // app, channel, user ("" for channel_vacated): one held leave per channel or per channel member.
    using Key = std::tuple<std::size_t, std::string, std::string>;
    struct Held {
        AppEvent event;
        std::multimap<TimePoint, Key>::iterator due;
    };

    std::map<Key, Held> held_;
    std::multimap<TimePoint, Key> byDue_;
    std::uint64_t cancelledPairs_ = 0;
};

}  // namespace resound::webhooks
