#pragma once
// The sending half of resound-floor, in the parent process: accepts the N loopback connections, then
// runs the paced window as a server's io thread would: sleep in epoll_wait until the timerfd says an
// event is due, then one send() of the shared, restamped frame per subscriber, nothing else. One thread.
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "EventLoop.h"
#include "FloorOptions.h"
#include "FloorProcess.h"
#include "FloorSchedule.h"
#include "LatencyHistogram.h"
#include "ProcStats.h"
#include "StampedFrame.h"

namespace resound::bench {

struct SenderResult {
    std::uint64_t eventsSent = 0;         // events whose fan-out was done (each to all its subscribers)
    std::uint64_t sends = 0;              // send() calls
    std::uint64_t wouldBlock = 0;         // send() said EAGAIN: the frame was dropped
    std::uint64_t shortSends = 0;         // send() took part of a frame: the connection was closed
    std::uint64_t sendErrors = 0;         // any other send() error: the connection was closed
    std::uint64_t connectionsClosed = 0;  // by the receiver's side during the window
    std::int64_t startNs = 0;
    std::int64_t endNs = 0;  // the later of the last fan-out and the planned end of the window
    OwnCpu cpuBefore, cpuAfter;
    double waitBeforeS = -1, waitAfterS = -1;  // run-queue wait (schedstat), -1 when unreadable
    std::optional<SystemCpu> machineBefore, machineAfter;
    LatencyHistogram scheduleLag;  // fan-out start - due time, per event
    bool receiverGone = false;     // the control channel closed during the window

    double windowS() const { return static_cast<double>(endNs - startNs) / 1e9; }
    double cpuS() const { return cpuAfter.total() - cpuBefore.total(); }
};

class FloorSender {
  public:
    FloorSender(const FloorOptions& options, const FloorSchedule& schedule, const FrameLayout& layout,
                int listenFd, int controlFd);
    ~FloorSender();
    FloorSender(const FloorSender&) = delete;
    FloorSender& operator=(const FloorSender&) = delete;

    // Accepts connections and reads each one's 4-byte index until all N are in and the receiver said
    // Ready. False with `error` on a failure or when deadlineNs passes.
    bool acceptAll(std::int64_t deadlineNs, std::string& error);
    // The paced window [startNs, startNs + duration): returns when every planned event was fanned out
    // or the window is over (a sender that fell behind leaves the rest unsent).
    void run(std::int64_t startNs, SenderResult& result);

  private:
    void acceptPending(std::string& error);
    bool readHello(int fd, std::string& error);
    void fanOut(std::uint64_t event, std::int64_t sentNs, SenderResult& result);
    void onConnectionEvent(std::uint64_t index, SenderResult& result);
    void drop(std::uint64_t index);

    const FloorOptions& options_;
    const FloorSchedule& schedule_;
    StampedFrame frame_;
    int listenFd_;
    int controlFd_;
    EventLoop loop_;
    DeadlineTimer timer_;
    std::vector<int> fds_;  // by connection index; -1 = not connected (yet) or dropped
    std::uint64_t identified_ = 0;
    struct Hello {
        std::uint32_t got = 0;
        unsigned char bytes[4] = {};
    };
    std::unordered_map<int, Hello> unidentified_;  // accepted, index not read yet
};

}  // namespace resound::bench
