#pragma once
// The receiving half of resound-floor, in the child process: opens the N connections (each says its
// index in 4 bytes), then reads them on one epoll loop, splits the bytes into frames, checks every
// connection gets each of its channel's events once and in order, and measures latency and its own CPU.
// Plays the load generator's part. One thread.
#include <cstdint>

#include "FloorOptions.h"
#include "FloorSchedule.h"
#include "StampedFrame.h"

namespace resound::bench {

// Runs the whole receiver side over `controlFd`: Ready, wait for Go, receive until Done's events have
// all arrived or the drain runs out, send Result. Returns the process exit status.
int runFloorReceiver(const FloorOptions& options, const FloorSchedule& schedule, const FrameLayout& layout,
                     std::uint16_t port, int controlFd);

}  // namespace resound::bench
