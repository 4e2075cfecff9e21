#pragma once
// One resound-floor run: the listening socket, the fork into sender (this process) and receiver
// (a child), set-up, the paced window, collecting the receiver's result, and the report. Owns the child
// and ends only it (by its PID) on failure. Used by main()'s thread only.
#include <sys/types.h>

#include <optional>
#include <string>

#include "BenchReport.h"
#include "FloorControl.h"
#include "FloorOptions.h"
#include "FloorSchedule.h"
#include "FloorSender.h"
#include "StampedFrame.h"

namespace resound::bench {

class FloorRun {
  public:
    explicit FloorRun(const FloorOptions& options);
    ~FloorRun();
    FloorRun(const FloorRun&) = delete;
    FloorRun& operator=(const FloorRun&) = delete;

    void execute(BenchReport& report);

  private:
    bool checkResources(BenchReport& report);
    bool startReceiver(BenchReport& report);
    // Waits up to graceNs for the child to exit, then kills it (that PID only); keeps its wait status.
    void reapReceiver(std::int64_t graceNs);
    void recordParams(BenchReport& report) const;
    void reportRun(BenchReport& report, const SenderResult& sender,
                   const std::optional<ReceiverResult>& receiver);

    const FloorOptions& options_;
    FloorSchedule schedule_;
    FrameLayout layout_;
    int listenFd_ = -1;
    std::uint16_t port_ = 0;
    int controlFd_ = -1;  // our end of the socketpair
    pid_t receiverPid_ = -1;
    int receiverStatus_ = -1;
};

}  // namespace resound::bench
