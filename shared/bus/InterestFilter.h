#pragma once
// Which (app, channel) pairs one event loop may have local subscribers for, readable from any thread
// without a lock. Publishers check it before handing a channel event to a loop, so a loop is not
// woken for events none of its connections want (with several io threads every publish used to wake
// every loop).
//
// Counting hash slots: add() and remove() (owner loop only) count channels per slot; mayHave() says
// false only if no channel hashing to that slot is subscribed. Collisions give false positives (the
// loop is woken and finds no subscriber, as before), never false negatives.
//
// Ordering: the owner calls add() before it answers subscription_succeeded, so an event published
// after a client saw that answer finds the slot non-zero. An event published before may be skipped,
// which Pusher allows (delivery starts with the subscription's success).
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

namespace resound::bus {

class InterestFilter {
  public:
    static constexpr std::size_t kDefaultSlots = std::size_t{1} << 16;

    explicit InterestFilter(std::size_t slots = kDefaultSlots);  // rounded up to a power of two

    void add(std::string_view appId, std::string_view channel);
    // One remove per add. A remove with nothing to remove changes nothing and returns false (a caller
    // bug, but one that must not take a server down: a slot left high only costs wasted wake-ups).
    bool remove(std::string_view appId, std::string_view channel);
    bool mayHave(std::string_view appId, std::string_view channel) const;

    std::size_t slots() const { return mask_ + 1; }

  private:
    std::size_t slotOf(std::string_view appId, std::string_view channel) const;

    std::size_t mask_;
    std::unique_ptr<std::atomic<std::uint32_t>[]> counts_;
};

}  // namespace resound::bus
