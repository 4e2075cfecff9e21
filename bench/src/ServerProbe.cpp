#include "ServerProbe.h"

#include <sys/resource.h>

namespace resound::bench {

std::optional<double> ServerProbe::cpuSeconds() const {
    if (!enabled()) return std::nullopt;
    const auto cpu = readProcCpu(pid_);
    if (!cpu) return std::nullopt;
    return ticksToSeconds(cpu->totalTicks());
}

std::optional<ProcMemory> ServerProbe::memory() const {
    if (!enabled()) return std::nullopt;
    return readProcMemory(pid_);
}

double selfCpuSeconds() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    auto seconds = [](const timeval& tv) { return static_cast<double>(tv.tv_sec) + tv.tv_usec / 1e6; };
    return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

CpuSnapshot takeCpuSnapshot(const ServerProbe& server) {
    CpuSnapshot snapshot;
    snapshot.self = selfCpuSeconds();
    if (const auto cpu = server.cpuSeconds()) {
        snapshot.server = *cpu;
        snapshot.haveServer = true;
    }
    const auto serverSched = server.enabled() ? readSchedTimes(server.pid()) : std::nullopt;
    const auto selfSched = readSchedTimes(0);
    if (serverSched && selfSched) {
        snapshot.serverWait = static_cast<double>(serverSched->waitNs) / 1e9;
        snapshot.selfWait = static_cast<double>(selfSched->waitNs) / 1e9;
        snapshot.haveWait = true;
    }
    if (const auto machine = readSystemCpu()) {
        snapshot.machineBusy = ticksToSeconds(machine->busyTicks);
        snapshot.machineSteal = ticksToSeconds(machine->stealTicks);
        snapshot.haveMachine = true;
    }
    return snapshot;
}

}  // namespace resound::bench
