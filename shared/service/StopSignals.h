#pragma once
// How every Resound process stops: SIGTERM and SIGINT ask it to drain and exit, SIGHUP is logged and
// ignored (no configuration reload: restart to apply changes), SIGPIPE is ignored (a peer that went
// away is an error return, not a crash). The constructor blocks the three signals in the calling thread
// and so in every thread it starts later; wait() takes them synchronously. Construct before starting
// any thread.
namespace resound::service {

class StopSignals {
  public:
    StopSignals();
    // Returns the signal that asks to stop (SIGTERM or SIGINT). SIGHUP is logged and ignored.
    int wait();
};

}  // namespace resound::service
