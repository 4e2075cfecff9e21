#include "ProcStats.h"

#include <dirent.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>

namespace resound::bench {
namespace {

std::optional<std::string> slurp(const std::string& path) {
    std::ifstream in(path);
    if (!in) return std::nullopt;
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

std::uint64_t parseUnsigned(std::string_view s) {
    std::uint64_t v = 0;
    for (char c : s) {
        if (c < '0' || c > '9') break;
        v = v * 10 + static_cast<std::uint64_t>(c - '0');
    }
    return v;
}

// The first number after "Key:" on its line, if the line is present.
std::optional<std::uint64_t> statusField(std::string_view text, std::string_view key) {
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t end = text.find('\n', pos);
        if (end == std::string_view::npos) end = text.size();
        std::string_view line = text.substr(pos, end - pos);
        pos = end + 1;
        if (line.size() > key.size() && line.substr(0, key.size()) == key && line[key.size()] == ':') {
            line.remove_prefix(key.size() + 1);
            while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
            return parseUnsigned(line);
        }
    }
    return std::nullopt;
}

}  // namespace

std::optional<ProcCpu> parseProcStat(std::string_view text) {
    const std::size_t paren = text.rfind(')');
    if (paren == std::string_view::npos) return std::nullopt;
    // After ") " come fields 3 (state), 4, ...; utime and stime are fields 14 and 15.
    std::string_view rest = text.substr(paren + 1);
    ProcCpu cpu;
    int field = 2;
    std::size_t pos = 0;
    while (pos < rest.size() && field < 15) {
        while (pos < rest.size() && rest[pos] == ' ') ++pos;
        const std::size_t end = std::min(rest.find(' ', pos), rest.size());
        if (pos >= end) break;
        ++field;
        const std::string_view token = rest.substr(pos, end - pos);
        if (field == 3) cpu.state = token[0];
        if (field == 14) cpu.utimeTicks = parseUnsigned(token);
        if (field == 15) cpu.stimeTicks = parseUnsigned(token);
        pos = end;
    }
    if (field < 15) return std::nullopt;
    return cpu;
}

std::optional<ProcMemory> parseProcStatus(std::string_view text) {
    const auto rss = statusField(text, "VmRSS");
    if (!rss) return std::nullopt;
    ProcMemory memory;
    memory.vmRssKb = *rss;
    memory.rssAnonKb = statusField(text, "RssAnon").value_or(0);
    memory.vmHwmKb = statusField(text, "VmHWM").value_or(0);
    memory.threads = static_cast<unsigned>(statusField(text, "Threads").value_or(0));
    return memory;
}

std::optional<SystemCpu> parseSystemCpu(std::string_view procStat) {
    if (procStat.substr(0, 4) != "cpu ") return std::nullopt;
    std::string_view line = procStat.substr(
        4, procStat.find('\n') == std::string_view::npos ? std::string_view::npos : procStat.find('\n') - 4);
    // user nice system idle iowait irq softirq steal [guest guest_nice: already inside user/nice]
    std::uint64_t f[8] = {};
    int count = 0;
    std::size_t pos = 0;
    while (count < 8 && pos < line.size()) {
        while (pos < line.size() && line[pos] == ' ') ++pos;
        const std::size_t end = std::min(line.find(' ', pos), line.size());
        if (pos >= end) break;
        f[count++] = parseUnsigned(line.substr(pos, end - pos));
        pos = end;
    }
    if (count < 4) return std::nullopt;
    SystemCpu cpu;
    cpu.busyTicks = f[0] + f[1] + f[2] + f[5] + f[6];
    cpu.stealTicks = f[7];
    cpu.totalTicks = cpu.busyTicks + cpu.stealTicks + f[3] + f[4];
    return cpu;
}

std::optional<SchedTimes> parseSchedstat(std::string_view text) {
    const std::size_t space = text.find(' ');
    if (space == std::string_view::npos || space == 0 || text[0] < '0' || text[0] > '9') return std::nullopt;
    std::string_view rest = text.substr(space + 1);
    if (rest.empty() || rest[0] < '0' || rest[0] > '9') return std::nullopt;
    return SchedTimes{parseUnsigned(text.substr(0, space)), parseUnsigned(rest)};
}

std::optional<SchedTimes> readSchedTimes(pid_t pid) {
    const std::string base = pid > 0 ? "/proc/" + std::to_string(pid) + "/task" : "/proc/self/task";
    DIR* dir = opendir(base.c_str());
    if (!dir) return std::nullopt;
    SchedTimes total;
    bool any = false;
    while (dirent* entry = readdir(dir)) {
        if (entry->d_name[0] < '0' || entry->d_name[0] > '9') continue;
        const auto text = slurp(base + "/" + entry->d_name + "/schedstat");
        if (!text) continue;
        if (const auto times = parseSchedstat(*text)) {
            total.runNs += times->runNs;
            total.waitNs += times->waitNs;
            any = true;
        }
    }
    closedir(dir);
    if (!any) return std::nullopt;
    return total;
}

std::optional<SystemCpu> readSystemCpu() {
    const auto text = slurp("/proc/stat");
    if (!text) return std::nullopt;
    return parseSystemCpu(*text);
}

std::optional<ProcCpu> readProcCpu(pid_t pid) {
    const auto text = slurp("/proc/" + std::to_string(pid) + "/stat");
    if (!text) return std::nullopt;
    return parseProcStat(*text);
}

std::optional<ProcMemory> readProcMemory(pid_t pid) {
    const auto text = slurp("/proc/" + std::to_string(pid) + "/status");
    if (!text) return std::nullopt;
    return parseProcStatus(*text);
}

double ticksToSeconds(std::uint64_t ticks) {
    static const long hz = sysconf(_SC_CLK_TCK);
    return static_cast<double>(ticks) / static_cast<double>(hz > 0 ? hz : 100);
}

bool processAlive(pid_t pid) {
    const auto cpu = readProcCpu(pid);
    return cpu && cpu->state != 'Z' && cpu->state != 'X';
}

}  // namespace resound::bench
