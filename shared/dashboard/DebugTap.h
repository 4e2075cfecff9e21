#pragma once
// Where the protocol, the HTTP API and the webhook sender report what the debug console shows, and
// where consoles (and the bundle's Redis relay) watch. Nobody watching costs a call site one relaxed
// atomic load (active()); a watch with a filter costs only the events that pass wants(), which the
// caller asks before building a DebugEvent. Any thread.
//
// Sinks run on the emitting thread (an event loop) under the tap's shared lock: they must only
// enqueue (a bounded queue, a ResponseStream push) and must not call back into the tap.
#include <atomic>
#include <cstddef>
#include <functional>
#include <memory>
#include <shared_mutex>
#include <string_view>
#include <vector>

#include "dashboard/DebugEvent.h"
#include "dashboard/DebugFilter.h"

namespace resound::dashboard {

class DebugTap {
  public:
    using Sink = std::function<void(const DebugEvent&)>;

    // Alive while the console is open: destroying it stops the deliveries (a sink running at that
    // moment finishes first). Must not outlive the tap.
    class Watch {
      public:
        Watch(const Watch&) = delete;
        Watch& operator=(const Watch&) = delete;
        ~Watch();

      private:
        friend class DebugTap;
        Watch(DebugTap& tap, std::size_t id) : tap_(tap), id_(id) {}
        DebugTap& tap_;
        std::size_t id_;
    };

    DebugTap() = default;
    DebugTap(const DebugTap&) = delete;
    DebugTap& operator=(const DebugTap&) = delete;

    // The filter must be usable (filter.problem() is nullopt); throws std::invalid_argument otherwise.
    [[nodiscard]] std::unique_ptr<Watch> watch(DebugFilter filter, Sink sink);

    bool active() const noexcept { return watchCount_.load(std::memory_order_relaxed) != 0; }
    // Whether any watch takes an event of this app, channel and event name ("" when it has none).
    bool wants(std::string_view appId, std::string_view channel, std::string_view event) const;
    // Hands the event to every watch whose filter it passes.
    void emit(const DebugEvent& event) const;

    std::size_t watchCount() const noexcept { return watchCount_.load(std::memory_order_relaxed); }
    // The filters of the open watches, oldest first (the bundle's relay registers them in Redis).
    std::vector<DebugFilter> filters() const;

  private:
    struct Entry {
        std::size_t id;
        DebugFilter filter;
        Sink sink;
    };
    void remove(std::size_t id);

    mutable std::shared_mutex mutex_;
    std::vector<Entry> entries_;
    std::size_t nextId_ = 1;
    std::atomic<std::size_t> watchCount_{0};
};

}  // namespace resound::dashboard
