#include "FloorProcess.h"

#include <sched.h>
#include <sys/resource.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include "ProcStats.h"

namespace resound::bench {

bool pinToCpu(int cpu, std::string& error) {
    if (cpu < 0) return true;
    if (cpu >= CPU_SETSIZE) {
        error = "cpu " + std::to_string(cpu) + " is out of range";
        return false;
    }
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    if (sched_setaffinity(0, sizeof set, &set) != 0) {
        error = "cannot pin to cpu " + std::to_string(cpu) + ": " + std::strerror(errno);
        return false;
    }
    return true;
}

OwnCpu ownCpu() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    auto seconds = [](const timeval& tv) { return static_cast<double>(tv.tv_sec) + tv.tv_usec / 1e6; };
    return OwnCpu{seconds(usage.ru_utime), seconds(usage.ru_stime)};
}

double realtimeThrottleShare() {
    const int policy = sched_getscheduler(0);
    if (policy != SCHED_FIFO && policy != SCHED_RR) return 0;
    auto readNumber = [](const char* path) {
        std::ifstream in(path);
        long long value = -1;
        in >> value;
        return in ? value : -1;
    };
    const long long runtime = readNumber("/proc/sys/kernel/sched_rt_runtime_us");
    const long long period = readNumber("/proc/sys/kernel/sched_rt_period_us");
    if (runtime < 0 || period <= 0 || runtime >= period) return 0;
    return 1.0 - static_cast<double>(runtime) / static_cast<double>(period);
}

double ownRunqueueWaitS() {
    const auto times = readSchedTimes(0);
    return times ? static_cast<double>(times->waitNs) / 1e9 : -1.0;
}

}  // namespace resound::bench
