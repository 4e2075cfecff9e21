#pragma once
// How every Resound process stops: SIGTERM and SIGINT ask it to drain and exit, SIGHUP is logged and
// ignored (no configuration reload: restart to apply changes), SIGPIPE is ignored (a peer that went
// away is an error return, not a crash). The constructor blocks the three signals in the calling thread
// and so in every thread it starts later; wait() takes them synchronously. Construct before starting
// any thread; call the waits from that same thread.
#include <chrono>
#include <functional>
#include <optional>

namespace resound::service {

class StopSignals {
  public:
    StopSignals();
    // Returns the signal that asks to stop (SIGTERM or SIGINT). SIGHUP is logged and ignored.
    int wait();
    // The same, giving up after `timeout`: nullopt when no stop signal came.
    std::optional<int> waitFor(std::chrono::milliseconds timeout);
    // wait(), then the lame duck of an orchestrated stop: after SIGTERM with a positive `delay`,
    // enterLameDuck() runs (the service answers /ready 503 but keeps serving) and the delay is waited
    // out, so a proxy that health-checks /ready stops routing here before clients are asked to go.
    // SIGINT (a person at a terminal) and a second signal during the delay skip the rest of it.
    // Returns the first signal.
    int waitThenLameDuck(std::chrono::milliseconds delay, const std::function<void()>& enterLameDuck);
};

}  // namespace resound::service
