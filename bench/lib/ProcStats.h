#pragma once
// The server-side numbers the benchmark reads from /proc/<pid>: CPU time (stat: utime + stime) and
// memory (status: VmRSS, RssAnon, VmHWM, Threads). Parsers are pure; readers touch /proc. Any thread.
#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string_view>

namespace resound::bench {

struct ProcCpu {
    char state = '?';  // R, S, D, Z, ...
    std::uint64_t utimeTicks = 0;
    std::uint64_t stimeTicks = 0;
    std::uint64_t totalTicks() const { return utimeTicks + stimeTicks; }
};

struct ProcMemory {
    std::uint64_t vmRssKb = 0;
    std::uint64_t rssAnonKb = 0;
    std::uint64_t vmHwmKb = 0;
    unsigned threads = 0;
};

// The whole machine, from the aggregate "cpu" line of /proc/stat (clock ticks, all CPUs summed).
struct SystemCpu {
    std::uint64_t busyTicks = 0;   // user + nice + system + irq + softirq
    std::uint64_t stealTicks = 0;  // time the hypervisor ran something else
    std::uint64_t totalTicks = 0;  // the above plus idle and iowait
};

// /proc/<pid>/stat: fields are counted after the last ')' because the command name may hold spaces.
std::optional<ProcCpu> parseProcStat(std::string_view text);
std::optional<ProcMemory> parseProcStatus(std::string_view text);

std::optional<SystemCpu> parseSystemCpu(std::string_view procStat);

// /proc/<pid>/task/<tid>/schedstat: nanoseconds on a CPU, nanoseconds runnable but waiting for one.
struct SchedTimes {
    std::uint64_t runNs = 0;
    std::uint64_t waitNs = 0;
};
std::optional<SchedTimes> parseSchedstat(std::string_view text);
// Summed over every thread of `pid` (0 = this process).
std::optional<SchedTimes> readSchedTimes(pid_t pid);

std::optional<ProcCpu> readProcCpu(pid_t pid);
std::optional<SystemCpu> readSystemCpu();
std::optional<ProcMemory> readProcMemory(pid_t pid);

// Clock ticks (USER_HZ) to seconds.
double ticksToSeconds(std::uint64_t ticks);

// The process exists and is not a zombie.
bool processAlive(pid_t pid);

}  // namespace resound::bench
