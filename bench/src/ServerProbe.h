#pragma once
// What the benchmark observes of the server process (and of itself): CPU seconds, memory and
// liveness, read from /proc and getrusage. A pid of 0 means "not measured". One thread.
#include <sys/types.h>

#include <optional>

#include "ProcStats.h"

namespace resound::bench {

class ServerProbe {
  public:
    explicit ServerProbe(pid_t pid) : pid_(pid) {}

    bool enabled() const { return pid_ > 0; }
    pid_t pid() const { return pid_; }
    bool alive() const { return !enabled() || processAlive(pid_); }
    // utime + stime of all the server's threads, in seconds (10 ms resolution: USER_HZ).
    std::optional<double> cpuSeconds() const;
    std::optional<ProcMemory> memory() const;

  private:
    pid_t pid_;
};

// This process's own user + system CPU seconds (microsecond resolution).
double selfCpuSeconds();

// CPU counters at one instant: server, this process and the whole machine, in seconds.
struct CpuSnapshot {
    double server = 0;
    double self = 0;
    double machineBusy = 0;
    double machineSteal = 0;
    double serverWait = 0;  // seconds the server's threads were runnable but not running
    double selfWait = 0;
    bool haveServer = false;
    bool haveMachine = false;
    bool haveWait = false;
};

CpuSnapshot takeCpuSnapshot(const ServerProbe& server);

}  // namespace resound::bench
