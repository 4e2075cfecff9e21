#pragma once
// The claim of one accepted event on the place it is kept until delivered (in the bundle: its entry in
// the sender's claimed set in Redis). Every delivery that carries the event holds a shared_ptr to it;
// when the last one lets go, the event is settled (delivered with 2xx, or dropped for good: retry
// window over, queue full, no target wants it, cancelled by the grace period) and `onSettled` runs,
// unless the event was abandoned first (the process stopped before it settled): then it stays where it
// is kept for the next sender. Any thread; `onSettled` runs on the thread that let go last.
#include <atomic>
#include <functional>
#include <utility>

namespace resound::webhooks {

class EventReceipt {
  public:
    explicit EventReceipt(std::function<void()> onSettled) : onSettled_(std::move(onSettled)) {}
    ~EventReceipt() {
        if (!abandoned_.load(std::memory_order_acquire) && onSettled_) onSettled_();
    }
    EventReceipt(const EventReceipt&) = delete;
    EventReceipt& operator=(const EventReceipt&) = delete;

    // Not settled after all: whoever holds it last leaves it in place.
    void abandon() { abandoned_.store(true, std::memory_order_release); }

  private:
    std::function<void()> onSettled_;
    std::atomic<bool> abandoned_{false};
};

}  // namespace resound::webhooks
