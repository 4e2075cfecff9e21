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

// /proc/<pid>/stat: fields are counted after the last ')' because the command name may hold spaces.
std::optional<ProcCpu> parseProcStat(std::string_view text);
std::optional<ProcMemory> parseProcStatus(std::string_view text);

std::optional<ProcCpu> readProcCpu(pid_t pid);
std::optional<ProcMemory> readProcMemory(pid_t pid);

// Clock ticks (USER_HZ) to seconds.
double ticksToSeconds(std::uint64_t ticks);

// The process exists and is not a zombie.
bool processAlive(pid_t pid);

}  // namespace resound::bench
