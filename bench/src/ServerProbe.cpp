#include "ServerProbe.h"

#include <sys/resource.h>

namespace resound::bench {

bool ServerProbe::alive() const { return firstDead() == 0; }

pid_t ServerProbe::firstDead() const {
    for (const auto& p : processes_) {
        if (!processAlive(p.pid)) return p.pid;
    }
    return 0;
}

std::optional<std::vector<double>> ServerProbe::cpuSecondsEach() const {
    std::vector<double> each;
    for (const auto& p : processes_) {
        const auto cpu = readProcCpu(p.pid);
        if (!cpu) return std::nullopt;
        each.push_back(ticksToSeconds(cpu->totalTicks()));
    }
    return each;
}

std::optional<double> ServerProbe::cpuSeconds() const {
    if (!enabled()) return std::nullopt;
    const auto each = cpuSecondsEach();
    if (!each) return std::nullopt;
    double total = 0;
    for (const double seconds : *each) total += seconds;
    return total;
}

std::optional<ProcMemory> ServerProbe::memory() const {
    if (!enabled()) return std::nullopt;
    ProcMemory total;
    for (const auto& p : processes_) {
        const auto memory = readProcMemory(p.pid);
        if (!memory) return std::nullopt;
        total.vmRssKb += memory->vmRssKb;
        total.rssAnonKb += memory->rssAnonKb;
        total.vmHwmKb += memory->vmHwmKb;
        total.threads += memory->threads;
    }
    return total;
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
    if (server.enabled()) {
        if (auto each = server.cpuSecondsEach()) {
            for (const double seconds : *each) snapshot.server += seconds;
            snapshot.serverEach = std::move(*each);
            snapshot.haveServer = true;
        }
    }
    // Run-queue wait only counts when it could be read for every server process and for us.
    const auto selfSched = readSchedTimes(0);
    bool serverSchedOk = server.enabled();
    double serverWait = 0;
    for (const auto& p : server.processes()) {
        const auto sched = readSchedTimes(p.pid);
        if (!sched) {
            serverSchedOk = false;
            break;
        }
        serverWait += static_cast<double>(sched->waitNs) / 1e9;
    }
    if (serverSchedOk && selfSched) {
        snapshot.serverWait = serverWait;
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
