#include "FloorOptions.h"

#include "CommandLine.h"
#include "StampedFrame.h"

namespace resound::bench {
namespace {

bool toCpu(const std::string& text, int& out) {
    if (text == "-1" || text == "none") {
        out = -1;
        return true;
    }
    std::uint64_t n = 0;
    if (!parseUnsigned(text, n) || n > static_cast<std::uint64_t>(kFloorMaxCpu)) return false;
    out = static_cast<int>(n);
    return true;
}

}  // namespace

std::string floorUsage() {
    return R"(usage: resound-floor [options]

The kernel floor of fan-out on this machine, now: a sender process that does nothing but one send()
per delivery to N loopback TCP connections, paced like a server, and a receiver process that reads
them. Reports deliveries per sender CPU-second, to set beside resound-bench's deliveries per server
CPU-second (bench/README.md, "Kernel floor").

shape:   --subscribers N (1..19000, default 1000) --channels C (1..N, default 1)
         --rate R (events/s in total, event k to channel k mod C, 0 < R <= 100000, default 100)
         --duration S (0 < S <= 600, default 10) --drain S (receiver's wait after the window, <= 60,
           default 3)
         --payload-bytes B (54..65535, default 85: a resound-bench event as Resound sends it)
cpus:    --sender-cpu X (default 0) --receiver-cpu Y (default 1); -1 or none: not pinned
receiver: --receiver-pause-us U (0..100000, default 0): sleep after each epoll round that read
           something, so the sender finds the reader awake, or not woken yet, more often (wake-ups
           of a sleeping reader are part of the sender's cost)
output:  --name NAME --json FILE --summary FILE (appends one tab-separated line)
         --param KEY=VALUE (repeatable; recorded in the report's params)
exit status: 0 ok, 1 the run is not valid (a delivery lost, a send would have blocked, setup failed),
             2 bad usage
)";
}

bool parseFloorOptions(int argc, char** argv, FloorOptions& o, std::string& message) {
    const OptionSetters setters = {
        {"--subscribers", setUnsigned(o.subscribers)},
        {"--channels", setUnsigned(o.channels)},
        {"--rate", setFinite(o.rate)},
        {"--duration", setFinite(o.durationSeconds)},
        {"--drain", setFinite(o.drainSeconds)},
        {"--payload-bytes", setUnsigned(o.payloadBytes)},
        {"--receiver-pause-us", setUnsigned(o.receiverPauseUs)},
        {"--sender-cpu", [&](const std::string& v) { return toCpu(v, o.senderCpu); }},
        {"--receiver-cpu", [&](const std::string& v) { return toCpu(v, o.receiverCpu); }},
        {"--name", setText(o.name)},
        {"--json", setText(o.jsonPath)},
        {"--summary", setText(o.summaryPath)},
        {"--param", addParam(o.extraParams)},
    };
    if (!applyOptions(argc, argv, setters, {}, floorUsage(), message)) return false;
    if (o.subscribers < 1 || o.subscribers > kFloorMaxSubscribers) {
        message = "--subscribers must be 1.." + std::to_string(kFloorMaxSubscribers) + "\n";
        return false;
    }
    if (o.channels < 1 || o.channels > o.subscribers) {
        message = "--channels must be 1..subscribers\n";
        return false;
    }
    if (!(o.rate > 0) || o.rate > kFloorMaxRate) {
        message = "--rate must be > 0 and <= 100000 events/s\n";
        return false;
    }
    if (!(o.durationSeconds > 0) || o.durationSeconds > kFloorMaxDurationSeconds) {
        message = "--duration must be > 0 and <= 600 s\n";
        return false;
    }
    if (o.drainSeconds < 0 || o.drainSeconds > kFloorMaxDrainSeconds) {
        message = "--drain must be 0..60 s\n";
        return false;
    }
    if (o.receiverPauseUs > kFloorMaxReceiverPauseUs) {
        message = "--receiver-pause-us must be 0..100000\n";
        return false;
    }
    if (o.payloadBytes < FrameLayout::kMinPayload || o.payloadBytes > FrameLayout::kMaxPayload) {
        message = "--payload-bytes must be " + std::to_string(FrameLayout::kMinPayload) + ".." +
                  std::to_string(FrameLayout::kMaxPayload) + "\n";
        return false;
    }
    return true;
}

}  // namespace resound::bench
