#pragma once
// Command-line options of resound-floor (bench/README.md, "Kernel floor"), parsed once in main() and
// passed down read-only. Parsing is pure; any thread.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace resound::bench {

struct FloorOptions {
    std::uint64_t subscribers = 1000;  // loopback TCP connections
    std::uint64_t channels = 1;        // connection i subscribes to channel i mod channels
    double rate = 100;                 // events per second in total, event k to channel k mod channels
    double durationSeconds = 10;       // the paced window
    double drainSeconds = 3;           // how long the receiver waits for frames after the window
    // 85: the payload resound-bench's events have when Resound sends them, e.g.
    // {"event":"bench-event","channel":"bench-0","data":"{\"t\":25430988232802,\"s\":500}"}.
    std::uint64_t payloadBytes = 85;
    // The receiver sleeps this long after each epoll round that read something, so frames gather in
    // the sockets and the sender wakes a sleeping reader less often (0: read as soon as woken).
    std::uint64_t receiverPauseUs = 0;
    int senderCpu = 0;    // -1: not pinned
    int receiverCpu = 1;  // -1: not pinned

    std::string name = "floor";
    std::vector<std::pair<std::string, std::string>> extraParams;  // --param KEY=VALUE, copied to the report
    std::string jsonPath;
    std::string summaryPath;
};

inline constexpr std::uint64_t kFloorMaxSubscribers = 19'000;  // each process may open 20,000 files here
inline constexpr double kFloorMaxDurationSeconds = 600;
inline constexpr double kFloorMaxRate = 100'000;
inline constexpr double kFloorMaxDrainSeconds = 60;
inline constexpr int kFloorMaxCpu = 1023;
inline constexpr std::uint64_t kFloorMaxReceiverPauseUs = 100'000;

// Parses argv; on error or --help returns false with `message` set (usage text included; it starts
// with "usage:" for --help).
bool parseFloorOptions(int argc, char** argv, FloorOptions& options, std::string& message);

std::string floorUsage();

}  // namespace resound::bench
