#pragma once
// What the benchmark observes of the server processes (and of itself): CPU seconds, memory and
// liveness, read from /proc and getrusage. One server is one process in embedded mode; in Redis mode
// it is several (edges, api, redis-server) and every figure is their sum, since the cost of serving a
// message is spread over all of them. No process means "not measured". One thread.
#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "ProcStats.h"

namespace resound::bench {

// One measured process and the name it has in the report ("edge1", "redis", ...).
struct ServerProcess {
    std::string name;
    pid_t pid = 0;
};

class ServerProbe {
  public:
    explicit ServerProbe(std::vector<ServerProcess> processes) : processes_(std::move(processes)) {}

    bool enabled() const { return !processes_.empty(); }
    const std::vector<ServerProcess>& processes() const { return processes_; }
    // Every process exists and is not a zombie: one dead process spoils the whole measurement.
    bool alive() const;
    // The first process that is not alive, for the failure message; 0 when all are.
    pid_t firstDead() const;
    // utime + stime of all threads of every process, in seconds (10 ms resolution: USER_HZ).
    std::optional<double> cpuSeconds() const;
    // The same per process, in the order given; nullopt if any could not be read.
    std::optional<std::vector<double>> cpuSecondsEach() const;
    // VmRSS, RssAnon, VmHWM and threads summed over the processes.
    std::optional<ProcMemory> memory() const;

  private:
    std::vector<ServerProcess> processes_;
};

// This process's own user + system CPU seconds (microsecond resolution).
double selfCpuSeconds();

// CPU counters at one instant: the server processes, this process and the whole machine, in seconds.
struct CpuSnapshot {
    double server = 0;               // sum over the server processes
    std::vector<double> serverEach;  // per process, in ServerProbe::processes() order
    double self = 0;
    double machineBusy = 0;
    double machineSteal = 0;
    double serverWait = 0;  // seconds the server's threads were runnable but not running (summed)
    double selfWait = 0;
    bool haveServer = false;
    bool haveMachine = false;
    bool haveWait = false;
};

CpuSnapshot takeCpuSnapshot(const ServerProbe& server);

}  // namespace resound::bench
