#pragma once
// The plan of a resound-floor run (bench/README.md, "Kernel floor"): when each event is due, which
// channel it goes to, which connections subscribe to a channel and how many frames each connection
// must receive. Pure arithmetic, any thread.
#include <cstdint>

namespace resound::bench {

class FloorSchedule {
  public:
    // `rate` events per second (> 0) spread evenly over `durationNs` from the window's start; event k
    // goes to channel k mod `channels`; connection i subscribes to channel i mod `channels`.
    FloorSchedule(double rate, std::int64_t durationNs, std::uint64_t connections, std::uint64_t channels);

    // Offset of event k from the window's start: floor(k * 1e9 / rate) ns.
    std::int64_t offsetOf(std::uint64_t event) const;
    // Events with offset < duration (the events the window holds).
    std::uint64_t plannedEvents() const { return planned_; }
    // Events due `elapsedNs` after the start (offset <= elapsed), at most plannedEvents().
    std::uint64_t dueBy(std::int64_t elapsedNs) const;

    std::uint64_t channelOfEvent(std::uint64_t event) const { return event % channels_; }
    std::uint64_t channelOfConnection(std::uint64_t connection) const { return connection % channels_; }
    // Connections subscribed to `channel`: channel, channel + C, channel + 2C, ... below the total.
    std::uint64_t subscribersOf(std::uint64_t channel) const;
    // Frames connection `connection` receives when events 0 .. events-1 were sent.
    std::uint64_t framesFor(std::uint64_t connection, std::uint64_t events) const;
    // Frames all connections together receive when events 0 .. events-1 were sent.
    std::uint64_t deliveriesFor(std::uint64_t events) const;

    std::uint64_t connections() const { return connections_; }
    std::uint64_t channels() const { return channels_; }

  private:
    // Events with offset <= limitNs (not capped by plannedEvents()).
    std::uint64_t countUpTo(std::int64_t limitNs) const;

    double rate_;
    std::int64_t durationNs_;
    std::uint64_t connections_;
    std::uint64_t channels_;
    std::uint64_t planned_;
};

}  // namespace resound::bench
