#pragma once
// The control channel between resound-floor's two processes: the sender (parent) and the receiver
// (child) exchange fixed-size messages over a socketpair. Ready (receiver: all connections open), Go
// (sender: the window starts at a given time), Done (sender: events sent, window end), Result
// (receiver: its counts, CPU and latency). Each end is used by one thread of one process.
#include <cstdint>
#include <string>

namespace resound::bench {

enum class FloorMessageKind : std::uint32_t { Ready = 1, Go = 2, Done = 3, Result = 4 };

// What the receiver measured. Plain data: it crosses the socketpair as bytes.
struct ReceiverResult {
    std::uint64_t delivered = 0;       // frames of the expected events, each once and in order
    std::uint64_t expected = 0;        // deliveries the sent events make
    std::uint64_t misordered = 0;      // frames of the wrong channel, repeated or going backwards
    std::uint64_t corruptStreams = 0;  // connections whose bytes stopped being frames
    std::uint64_t connectionsClosed = 0;
    std::uint64_t recvCalls = 0;  // recv() calls that returned data
    std::uint64_t bytes = 0;
    double cpuUserS = 0;
    double cpuSysS = 0;
    double windowS = 0;
    double runqueueWaitS = -1;  // -1: schedstat not readable
    std::uint64_t latencyCount = 0;
    std::int64_t latencyP50Ns = 0;
    std::int64_t latencyP90Ns = 0;
    std::int64_t latencyP99Ns = 0;
    std::int64_t latencyP999Ns = 0;
    std::int64_t latencyMaxNs = 0;
    bool drainTimedOut = false;  // the window ended and not every expected frame arrived in time
};

struct FloorMessage {
    FloorMessageKind kind = FloorMessageKind::Ready;
    std::uint32_t ok = 1;     // Ready / Result: 0 = failed, see error
    std::int64_t first = 0;   // Go: window start (CLOCK_MONOTONIC ns); Done: events sent
    std::int64_t second = 0;  // Done: window end (CLOCK_MONOTONIC ns)
    ReceiverResult result;    // Result
    char error[240] = {};     // NUL-terminated

    void setError(const std::string& text);
};

// Writes the whole message (blocking; the socketpair never holds more than a few of them).
bool sendFloorMessage(int fd, const FloorMessage& message);
// Reads one whole message; false on end of file, an error or when deadlineNs (CLOCK_MONOTONIC) passes.
bool receiveFloorMessage(int fd, FloorMessage& message, std::int64_t deadlineNs);

}  // namespace resound::bench
