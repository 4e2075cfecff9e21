#pragma once
// What each resound-floor process does to itself: pin to its CPU, read its own CPU time and run-queue
// wait. The calling process only; any thread (the processes have one).
#include <string>

namespace resound::bench {

// sched_setaffinity of the calling process to one CPU; cpu < 0 leaves it unpinned.
bool pinToCpu(int cpu, std::string& error);

struct OwnCpu {
    double userS = 0;
    double systemS = 0;
    double total() const { return userS + systemS; }
};
// getrusage(RUSAGE_SELF): this process's threads, not its children; microsecond resolution.
OwnCpu ownCpu();

// The share of time the kernel keeps from realtime tasks (1 - sched_rt_runtime_us / sched_rt_period_us)
// when this process runs SCHED_FIFO or SCHED_RR; 0 otherwise, or when throttling is off.
double realtimeThrottleShare();

// Seconds this process was runnable but waited for a CPU (schedstat), or -1 when unreadable.
double ownRunqueueWaitS();

}  // namespace resound::bench
