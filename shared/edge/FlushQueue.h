#pragma once
// The order in which an I/O thread writes out its connections' queued bytes.
//
// Answers a peer is waiting for (HTTP responses, handshakes, close frames) are urgent: all of
// them are written every loop iteration. Everything else (broadcasts, Pusher replies) goes through a
// FIFO that is worked on for a bounded slice of time per iteration. When the thread is saturated, for
// example by a hot channel with 10,000 subscribers, two things follow from the slice: input such as the
// next HTTP publish is still read (and answered) between slices, and connections further down the FIFO
// gather several messages before their turn comes, so one sendmsg() carries all of them instead of one
// system call per message. When the thread is not saturated the whole FIFO fits in one slice and
// nothing changes. A connection is queued at most once per list; its place in the FIFO does not move
// when more messages arrive for it, so no connection waits longer than one round.
//
// Item is a connection type with a `std::uint8_t flushMarks` member that only this queue touches.
// Items torn down while queued must stay allocated until queued() is false (the FIFO reaches them).
#include <cstddef>
#include <cstdint>
#include <vector>

namespace resound::edge {

template <typename Item>
class FlushQueue {
  public:
    static constexpr std::uint8_t kUrgentMark = 1;
    static constexpr std::uint8_t kFairMark = 2;
    static constexpr std::size_t kItemsBetweenClockChecks = 32;

    void addUrgent(Item& item) {
        if (item.flushMarks & kUrgentMark) return;
        item.flushMarks |= kUrgentMark;
        urgent_.push_back(&item);
    }

    void addFair(Item& item) {
        if (item.flushMarks & kFairMark) return;
        item.flushMarks |= kFairMark;
        fair_.push_back(&item);
    }

    static bool queued(const Item& item) { return item.flushMarks != 0; }
    bool fairPending() const { return fairHead_ < fair_.size(); }
    // Work for the next run(): fair items left over, or urgent ones queued while flushing (an item
    // whose flush resumed reading may have answered more requests).
    bool pending() const { return fairPending() || !urgent_.empty(); }

    // Calls flush(item) for every urgent item, then for fair items in FIFO order until outOfTime()
    // answers true (asked every kItemsBetweenClockChecks items, so at least that many are flushed).
    // An item's mark is cleared before flush() sees it; flush() may queue items. Returns pending().
    template <typename Flush, typename OutOfTime>
    bool run(Flush&& flush, OutOfTime&& outOfTime) {
        // Index loop: items queued by flush() in this phase are flushed in it too.
        for (std::size_t i = 0; i < urgent_.size(); ++i) {
            Item& item = *urgent_[i];
            item.flushMarks &= static_cast<std::uint8_t>(~kUrgentMark);
            flush(item);
        }
        urgent_.clear();

        std::size_t sinceCheck = 0;
        while (fairHead_ < fair_.size()) {
            Item& item = *fair_[fairHead_++];
            item.flushMarks &= static_cast<std::uint8_t>(~kFairMark);
            flush(item);
            if (++sinceCheck == kItemsBetweenClockChecks) {
                sinceCheck = 0;
                if (outOfTime()) break;
            }
        }
        compact();
        return pending();
    }

  private:
    void compact() {
        if (fairHead_ == fair_.size()) {
            fair_.clear();
            fairHead_ = 0;
            if (fair_.capacity() > kKeptCapacity) std::vector<Item*>().swap(fair_);
        } else if (fairHead_ > fair_.size() / 2) {
            fair_.erase(fair_.begin(), fair_.begin() + static_cast<std::ptrdiff_t>(fairHead_));
            fairHead_ = 0;
        }
    }

    static constexpr std::size_t kKeptCapacity = 64 * 1024;
    std::vector<Item*> urgent_;
    std::vector<Item*> fair_;
    std::size_t fairHead_ = 0;
};

}  // namespace resound::edge
