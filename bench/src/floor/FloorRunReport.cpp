// FloorRun's report: the figures of both processes, the validity checks and the headline.
#include <cmath>

#include "FloorProcess.h"
#include "FloorRun.h"
#include "ProcStats.h"

namespace resound::bench {
namespace {

double ms(std::int64_t ns) { return static_cast<double>(ns) / 1e6; }
double count(std::uint64_t n) { return static_cast<double>(n); }

// 1234567 -> "1.23M", 12345 -> "12.3k".
std::string compact(double value) {
    if (!std::isfinite(value)) return "-";
    if (value >= 1e6) return formatNumber(value / 1e6, 2) + "M";
    if (value >= 1e4) return formatNumber(value / 1e3, 1) + "k";
    return formatNumber(value, 0);
}

}  // namespace

void FloorRun::recordParams(BenchReport& report) const {
    report.param("mode", "floor");
    report.param("subscribers", count(options_.subscribers));
    report.param("channels", count(options_.channels));
    report.param("rate", options_.rate, 1);
    report.param("duration_s", options_.durationSeconds, 1);
    report.param("payload_bytes", count(layout_.payloadBytes()));
    report.param("frame_bytes", count(layout_.frameBytes()));
    report.param("receiver_pause_us", count(options_.receiverPauseUs));
    report.param("sender_cpu", options_.senderCpu);
    report.param("receiver_cpu", options_.receiverCpu);
    for (const auto& [key, value] : options_.extraParams) report.param(key, value);
}

void FloorRun::reportRun(BenchReport& report, const SenderResult& s, const std::optional<ReceiverResult>& r) {
    const double window = s.windowS();
    const double senderCpu = s.cpuS();
    const std::uint64_t planned = schedule_.plannedEvents();
    const std::uint64_t expected = schedule_.deliveriesFor(s.eventsSent);
    const std::uint64_t delivered = r ? r->delivered : 0;
    const std::uint64_t lost = expected > delivered ? expected - delivered : 0;

    report.metric("events_planned", "events planned", count(planned), "", 0);
    report.metric("events_sent", "events fanned out", count(s.eventsSent), "", 0);
    report.metric("events_skipped", "events never sent (sender behind)", count(planned - s.eventsSent), "",
                  0);
    report.metric("rate_achieved", "event rate achieved", count(s.eventsSent) / options_.durationSeconds,
                  "/s", 1);
    report.metric("window_s", "measurement window (sender)", window, "s", 3);
    report.metric("sends", "send() calls", count(s.sends), "", 0);
    report.metric("send_eagain", "send() EAGAIN (frame dropped)", count(s.wouldBlock), "", 0);
    report.metric("send_short", "send() took part of a frame", count(s.shortSends), "", 0);
    report.metric("send_errors", "send() errors", count(s.sendErrors), "", 0);
    report.metric("deliveries_expected", "deliveries expected", count(expected), "", 0);
    report.metric("deliveries", "deliveries received", count(delivered), "", 0);
    report.metric("deliveries_lost", "deliveries lost", count(lost), "", 0);
    report.metric("deliveries_per_s", "delivery throughput", count(delivered) / window, "/s", 0);
    report.metric("sender_cpu_s", "sender CPU (user+sys)", senderCpu, "s", 3);
    report.metric("sender_user_cpu_s", "sender CPU, user", s.cpuAfter.userS - s.cpuBefore.userS, "s", 3);
    report.metric("sender_sys_cpu_s", "sender CPU, system", s.cpuAfter.systemS - s.cpuBefore.systemS, "s", 3);
    report.metric("sender_cpu_utilisation", "sender CPU / wall", senderCpu / window, "", 3);
    report.metric("deliveries_per_cpu_s", "deliveries per sender CPU-second",
                  senderCpu > 0 ? count(delivered) / senderCpu : NAN, "", 0);
    report.metric("sender_cpu_us_per_delivery", "sender CPU per delivery",
                  delivered > 0 ? senderCpu * 1e6 / count(delivered) : NAN, "us", 2);
    report.metric("schedule_lag_p99_ms", "sender schedule lag p99", ms(s.scheduleLag.percentile(0.99)), "ms",
                  3);
    report.metric("schedule_lag_max_ms", "sender schedule lag max", ms(s.scheduleLag.max()), "ms", 3);

    double receiverCpu = 0;
    if (r) {
        receiverCpu = r->cpuUserS + r->cpuSysS;
        report.metric("receiver_cpu_s", "receiver CPU (user+sys)", receiverCpu, "s", 3);
        report.metric("receiver_cpu_utilisation", "receiver CPU / wall", receiverCpu / r->windowS, "", 3);
        report.metric("frames_per_recv", "frames per recv()",
                      r->recvCalls ? count(delivered) / count(r->recvCalls) : NAN, "", 2);
        report.metric("misordered", "frames repeated, reordered or on the wrong connection",
                      count(r->misordered), "", 0);
        report.metric("corrupt_streams", "connections whose bytes were not frames", count(r->corruptStreams),
                      "", 0);
        report.metric("connections_closed", "connections closed during the run",
                      count(r->connectionsClosed + s.connectionsClosed), "", 0);
        if (r->latencyCount > 0) {
            report.metric("latency_p50_ms", "delivery latency p50", ms(r->latencyP50Ns), "ms", 3);
            report.metric("latency_p90_ms", "delivery latency p90", ms(r->latencyP90Ns), "ms", 3);
            report.metric("latency_p99_ms", "delivery latency p99", ms(r->latencyP99Ns), "ms", 3);
            report.metric("latency_p999_ms", "delivery latency p99.9", ms(r->latencyP999Ns), "ms", 3);
            report.metric("latency_max_ms", "delivery latency max", ms(r->latencyMaxNs), "ms", 3);
        }
        if (receiverCpu / r->windowS > 0.9) {
            report.note(
                "the receiver used >90 % of its CPU: latency includes its queueing; the sender's "
                "figures stand as long as no send() hit EAGAIN");
        }
    }

    // Interference, judged as resound-bench does: run-queue wait of our processes, hypervisor steal.
    bool noisy = false;
    const double senderWait = s.waitBeforeS >= 0 && s.waitAfterS >= 0 ? s.waitAfterS - s.waitBeforeS : NAN;
    const double receiverWait = r && r->runqueueWaitS >= 0 ? r->runqueueWaitS : NAN;
    if (std::isfinite(senderWait))
        report.metric("sender_runqueue_wait_s", "sender waiting for a CPU", senderWait, "s", 3);
    if (std::isfinite(receiverWait)) {
        report.metric("receiver_runqueue_wait_s", "receiver waiting for a CPU", receiverWait, "s", 3);
    }
    double other = NAN, steal = NAN;
    if (s.machineBefore && s.machineAfter) {
        const double busy = ticksToSeconds(s.machineAfter->busyTicks - s.machineBefore->busyTicks);
        steal = ticksToSeconds(s.machineAfter->stealTicks - s.machineBefore->stealTicks);
        // The receiver's CPU is over its own window (a little longer than the sender's).
        other = std::max(0.0, busy - senderCpu - receiverCpu);
        report.metric("other_processes_cpu_s", "other processes' CPU (approx.)", other, "s", 2);
        report.metric("steal_s", "CPU stolen by the hypervisor", steal, "s", 2);
    }
    // Under SCHED_FIFO a saturated process is paused for the non-realtime share of every period
    // (sched_rt_runtime_us): that wait is the kernel's, not other processes', and it costs throughput,
    // not CPU per delivery, so it is allowed for here (resound-bench counts it, and says so).
    const double throttle = realtimeThrottleShare() * window;
    const double allowance = 0.02 * window + 0.01 + throttle;
    if (throttle > 0 && std::isfinite(senderWait) && senderWait > 0.02 * window + 0.01 &&
        senderWait <= allowance) {
        report.note(
            "the sender runs SCHED_FIFO and was saturated: the kernel paused it for the non-realtime "
            "share (sched_rt_runtime_us), up to " +
            formatNumber(throttle, 2) + " s of its run-queue wait; not counted as interference");
    }
    if ((std::isfinite(senderWait) && senderWait > allowance) ||
        (std::isfinite(receiverWait) && receiverWait > allowance) ||
        (!std::isfinite(senderWait) && std::isfinite(other) && other > 0.1 + 0.1 * window) ||
        (std::isfinite(steal) && steal > 0.05 + 0.05 * window)) {
        noisy = true;
        report.note("the machine was not quiet (sender kept waiting for a CPU " +
                    formatNumber(senderWait, 3) + " s, receiver " + formatNumber(receiverWait, 3) + " s, " +
                    formatNumber(steal, 2) + " s stolen, in " + formatNumber(window, 1) +
                    " s): the floor is unreliable");
    }

    // Validity: the floor is only a floor if every send() put a whole frame in the socket and every
    // frame arrived once.
    if (s.wouldBlock > 0) {
        report.failure(std::to_string(s.wouldBlock) +
                       " send() calls hit EAGAIN (frames dropped): the receiver "
                       "fell behind, so the run is not valid");
    }
    if (s.shortSends + s.sendErrors > 0) {
        report.failure(std::to_string(s.shortSends + s.sendErrors) + " send() calls failed or were short");
    }
    if (r && lost > 0) {
        report.failure(std::to_string(lost) + " deliveries lost" +
                       (r->drainTimedOut ? " (drain timed out)" : ""));
    }
    if (r && r->misordered + r->corruptStreams > 0) {
        report.failure(std::to_string(r->misordered) + " frames out of order or repeated, " +
                       std::to_string(r->corruptStreams) + " corrupt streams");
    }
    if (r && r->connectionsClosed + s.connectionsClosed > 0) {
        report.failure(std::to_string(r->connectionsClosed + s.connectionsClosed) +
                       " connections closed mid-run");
    }
    if (s.receiverGone) report.failure("the receiver exited during the window");
    if (s.eventsSent == 0) report.failure("no event was sent");
    if (planned > s.eventsSent) {
        report.note(
            std::to_string(planned - s.eventsSent) +
            " planned events were never sent: the sender is saturated at this rate, so the per-CPU-second "
            "figure is the cost at saturation");
    }
    if (senderCpu < 0.2) {
        report.note(
            "sender CPU over the window is under 0.2 s: a short run; per-CPU-second figures are noisy");
    }

    std::string line = compact(count(delivered) / std::max(senderCpu, 1e-9)) + " deliveries/sender-CPU-s (" +
                       formatNumber(delivered ? senderCpu * 1e6 / count(delivered) : NAN, 2) +
                       " us each), sender CPU " + formatNumber(senderCpu / window, 2) + ", " +
                       compact(count(delivered) / window) + " deliveries/s";
    if (r && r->latencyCount > 0) {
        line += ", p50 " + formatNumber(ms(r->latencyP50Ns), 2) + " ms, p99 " +
                formatNumber(ms(r->latencyP99Ns), 2) + " ms";
    }
    line += ", " + std::to_string(lost) + " lost, " + std::to_string(s.wouldBlock) + " EAGAIN";
    if (planned > s.eventsSent && s.eventsSent * 100 < planned * 99) {
        line += ", rate reached only " + formatNumber(count(s.eventsSent) / options_.durationSeconds, 0) +
                " of " + formatNumber(options_.rate, 0) + "/s";
    }
    if (noisy) line += " [machine busy: unreliable]";
    report.headline(line);
}

}  // namespace resound::bench
