#include <sched.h>

#include <algorithm>
#include <cmath>

#include "LoadRun.h"

namespace resound::bench {
namespace {

double ms(std::int64_t ns) { return static_cast<double>(ns) / 1e6; }

std::string fixed(double value, int decimals) { return formatNumber(value, decimals); }

// 1234567 -> "1.23M", 12345 -> "12.3k".
std::string compact(double value) {
    if (!std::isfinite(value)) return "-";
    if (value >= 1e6) return fixed(value / 1e6, 2) + "M";
    if (value >= 1e4) return fixed(value / 1e3, 1) + "k";
    return fixed(value, 0);
}

void addLatency(BenchReport& report, const std::string& prefix, const std::string& label,
                const LatencyHistogram& h) {
    if (h.count() == 0) return;
    report.metric(prefix + "_p50_ms", label + " p50", ms(h.percentile(0.50)), "ms", 3);
    report.metric(prefix + "_p90_ms", label + " p90", ms(h.percentile(0.90)), "ms", 3);
    report.metric(prefix + "_p99_ms", label + " p99", ms(h.percentile(0.99)), "ms", 3);
    report.metric(prefix + "_p999_ms", label + " p99.9", ms(h.percentile(0.999)), "ms", 3);
    report.metric(prefix + "_max_ms", label + " max", ms(h.max()), "ms", 3);
}

double count(std::uint64_t n) { return static_cast<double>(n); }

}  // namespace

void LoadRun::recordParams(BenchReport& report) const {
    const char* mode = options_.mode == Mode::Connect  ? "connect"
                       : options_.mode == Mode::Fanout ? "fanout"
                                                       : "publish";
    report.param("mode", mode);
    report.param("subscribers", static_cast<double>(options_.subscribers));
    report.param("channels", static_cast<double>(options_.channels));
    if (options_.mode != Mode::Connect) {
        report.param("rate", options_.rate, 1);
        report.param("duration_s", options_.durationSeconds, 1);
        report.param("publish_connections", static_cast<double>(options_.publishConnections));
        if (options_.batch > 1) report.param("batch", static_cast<double>(options_.batch));
    }
    report.param("source_addresses", options_.sourceAddresses);
    std::string servers, ports;
    for (const auto& p : options_.servers)
        servers += (servers.empty() ? "" : ",") + p.name + "=" + std::to_string(p.pid);
    for (const auto port : options_.wsPorts) ports += (ports.empty() ? "" : ",") + std::to_string(port);
    report.param("server_pids", servers);
    report.param("ws_ports", ports);
    for (const auto& [key, value] : options_.extraParams) report.param(key, value);
}

double LoadRun::reportCpu(BenchReport& report, const std::string& prefix, const CpuSnapshot& before,
                          const CpuSnapshot& after, double seconds) {
    const std::string label = prefix.empty() ? "" : prefix + ": ";
    const std::string key = prefix.empty() ? "" : prefix + "_";
    const double server = before.haveServer && after.haveServer ? after.server - before.server : NAN;
    const double self = after.self - before.self;
    if (server_.enabled()) {
        report.metric(key + "server_cpu_s", label + "server CPU (utime+stime)", server, "s", 2);
        report.metric(key + "server_cpu_utilisation", label + "server CPU / wall", server / seconds, "", 3);
        // Several processes (Redis mode): where the CPU went, so the cost of the Redis hop shows.
        const auto& processes = server_.processes();
        if (processes.size() > 1 && before.serverEach.size() == processes.size() &&
            after.serverEach.size() == processes.size()) {
            for (std::size_t i = 0; i < processes.size(); ++i) {
                report.metric(key + "server_cpu_s_" + processes[i].name,
                              label + "server CPU of " + processes[i].name,
                              after.serverEach[i] - before.serverEach[i], "s", 2);
            }
        }
    }
    report.metric(key + "client_cpu_s", label + "load generator CPU", self, "s", 2);
    report.metric(key + "client_cpu_utilisation", label + "load generator CPU / wall", self / seconds, "", 3);
    if (self / seconds > 0.9) {
        report.note(label +
                    "the load generator used >90 % of its core: figures may be limited by the client");
    }
    if (before.haveMachine && after.haveMachine) {
        // Everything else that ran meanwhile: compilers, tests, other benchmarks. Rounding of the
        // three tick counters allows a few ticks of noise.
        const double busy = after.machineBusy - before.machineBusy;
        const double other = std::max(0.0, busy - self - (std::isfinite(server) ? server : 0.0));
        const double steal = after.machineSteal - before.machineSteal;
        report.metric(key + "other_processes_cpu_s", label + "other processes' CPU", other, "s", 2);
        report.metric(key + "steal_s", label + "CPU stolen by the hypervisor", steal, "s", 2);
        double serverWait = 0, selfWait = 0;
        if (before.haveWait && after.haveWait) {
            // Time runnable but kept off the CPU: the direct measure of interference.
            serverWait = after.serverWait - before.serverWait;
            selfWait = after.selfWait - before.selfWait;
            report.metric(key + "server_runqueue_wait_s", label + "server waiting for a CPU", serverWait, "s",
                          3);
            report.metric(key + "client_runqueue_wait_s", label + "load generator waiting for a CPU",
                          selfWait, "s", 3);
        }
        // Run-queue wait says directly whether our two processes were kept off their CPUs; busy
        // neighbours that never delayed them (e.g. under --realtime) do not spoil the figures.
        const bool haveWait = before.haveWait && after.haveWait;
        // Several server processes on the same CPUs (Redis mode) keep each other waiting, so their
        // wait says nothing about other processes; only the load generator's wait is judged then.
        const bool sharedServer = server_.processes().size() > 1;
        const bool serverDelayed = !sharedServer && serverWait > 0.02 * seconds + 0.01;
        const bool delayed =
            haveWait ? serverDelayed || selfWait > 0.02 * seconds + 0.01 : other > 0.1 + 0.1 * seconds;
        if (haveWait && sharedServer && serverWait > 0.02 * seconds + 0.01) {
            report.note(label + "the server processes waited " + fixed(serverWait, 3) +
                        " s for a CPU in total, mostly for each other (they share the server CPUs); "
                        "not counted as interference");
        }
        if (delayed || steal > 0.05 + 0.05 * seconds) {
            machineNoisy_ = true;
            if (sched_getscheduler(server_.enabled() ? server_.processes().front().pid : 0) == SCHED_FIFO) {
                report.note(label +
                            "the server runs SCHED_FIFO: when it is saturated the kernel pauses it for the "
                            "non-realtime share (sched_rt_runtime_us), which shows as run-queue wait and "
                            "in the latency tail");
            }
            report.note(label + "the machine was not quiet (" + fixed(other, 2) +
                        " CPU-s by other processes, " + fixed(steal, 2) +
                        " s stolen, server kept waiting for a CPU " + fixed(serverWait, 3) +
                        " s, load generator " + fixed(selfWait, 3) + " s, in " + fixed(seconds, 1) +
                        " s): latency and throughput figures are unreliable");
        }
    }
    return server;
}

void LoadRun::reportConnectPhase(BenchReport& report, double seconds) {
    report.metric("subscribed", "subscribed connections", static_cast<double>(fleet_->subscribedCount()), "",
                  0);
    report.metric("handshake_failures", "failed handshakes", static_cast<double>(fleet_->failedCount()), "",
                  0);
    report.metric("connect_phase_s", "connect phase", seconds, "s", 2);
    report.metric("connect_rate_per_s", "subscribed per second",
                  seconds > 0 ? static_cast<double>(fleet_->subscribedCount()) / seconds : NAN, "/s", 0);
    addLatency(report, "connect_to_established", "connect->established", fleet_->connectToEstablished());
    addLatency(report, "connect_to_subscribed", "connect->subscribed", fleet_->connectToSubscribed());
}

void LoadRun::reportProblems(BenchReport& report) {
    auto list = [&](const std::map<std::string, std::uint64_t>& problems, const std::string& who) {
        for (const auto& [reason, count] : problems) {
            report.note(who + ": " + reason + " x" + std::to_string(count));
        }
    };
    if (fleet_) list(fleet_->problems(), "subscriber");
    if (publisher_) list(publisher_->problems(), "publisher");
    if (fleet_ && fleet_->otherEvents() > 0) {
        report.note("subscribers received " + std::to_string(fleet_->otherEvents()) + " unexpected messages");
    }
    if (fleet_ && fleet_->badStamps() > 0) {
        report.failure(std::to_string(fleet_->badStamps()) + " benchmark events had no readable stamp");
    }
    if (serverGone_ || !server_.alive()) report.failure("the server process died during the run");
}

void LoadRun::reportPublishing(BenchReport& report, const PublishWindow& window) {
    const HttpPublisher& p = *publisher_;
    report.metric("events_sent", "publish requests sent", count(p.sent()), "", 0);
    report.metric("events_accepted", "publish requests 2xx", count(p.accepted()), "", 0);
    report.metric("events_rejected", "publish requests non-2xx", count(p.rejected()), "", 0);
    report.metric("events_unanswered", "publish requests unanswered", count(p.unanswered()), "", 0);
    if (options_.rate > 0) {
        report.metric("events_skipped", "events never sent (publisher behind)", count(p.skipped()), "", 0);
        if (p.skipped() > 0) {
            report.note(
                std::to_string(p.skipped()) +
                " planned events were never sent: the server answered too slowly for the offered rate");
        }
    }
    report.metric("publish_reconnects", "publisher reconnects", count(p.reconnects()), "", 0);
    report.metric("publish_rate_achieved", "publish rate achieved",
                  count(p.accepted()) / std::min(window.seconds, std::max(options_.durationSeconds, 1e-9)),
                  "/s", 1);
    report.metric("window_s", "measurement window", window.seconds, "s", 3);
    if (options_.rate > 0) {
        addLatency(report, "publish_latency", "publish (scheduled->response)", p.scheduledToResponse());
        report.metric("publish_schedule_lag_p99_ms", "publisher schedule lag p99",
                      ms(p.scheduleLag().percentile(0.99)), "ms", 3);
        report.metric("publish_schedule_lag_max_ms", "publisher schedule lag max", ms(p.scheduleLag().max()),
                      "ms", 3);
    }
    addLatency(report, "publish_response", "publish (write->response)", p.responseLatency());
    if (p.rejected() > 0) report.note("first non-2xx answer: " + p.firstErrorBody());
    for (const auto& [status, n] : p.statusCounts()) {
        if (status < 200 || status >= 300)
            report.note("HTTP " + std::to_string(status) + " x" + std::to_string(n));
    }
}

DeliveryLedger::Totals LoadRun::reportDeliveries(BenchReport& report, const PublishWindow& window) {
    DeliveryLedger::Totals totals{};
    if (!fleet_ || options_.subscribers == 0) return totals;
    totals = ledger_.totals(fleet_->channelOfEach(), window.counted);
    const double ratio = totals.expected ? count(totals.delivered) / count(totals.expected) : NAN;
    report.metric("deliveries_expected", "deliveries expected", count(totals.expected), "", 0);
    report.metric("deliveries", "deliveries received (unique)", count(totals.delivered), "", 0);
    report.metric("deliveries_lost", "deliveries lost", count(totals.expected - totals.delivered), "", 0);
    report.metric("delivery_ratio", "delivery ratio", ratio, "", 6);
    report.metric("duplicates", "duplicate deliveries", count(ledger_.duplicates()), "", 0);
    report.metric("deliveries_of_unaccepted", "deliveries of non-2xx events", count(totals.unexpected), "",
                  0);
    report.metric("subscribers_dropped", "subscribers dropped mid-run",
                  count(fleet_->droppedAfterSubscribe()), "", 0);
    report.metric("deliveries_per_s", "delivery throughput", count(totals.delivered) / window.seconds, "/s",
                  0);
    addLatency(report, "latency", "delivery latency", fleet_->deliveryLatency());
    addLatency(report, "latency_kernel", "delivery latency (kernel receipt)",
               fleet_->kernelDeliveryLatency());
    return totals;
}

void LoadRun::reportEfficiency(BenchReport& report, const DeliveryLedger::Totals& totals, double serverCpu) {
    if (!server_.enabled()) return;
    if (options_.subscribers > 0) {
        report.metric("deliveries_per_cpu_s", "deliveries per server CPU-second",
                      serverCpu > 0 ? count(totals.delivered) / serverCpu : NAN, "", 0);
    }
    report.metric("requests_per_cpu_s", "publish requests per server CPU-second",
                  serverCpu > 0 ? count(publisher_->accepted()) / serverCpu : NAN, "", 0);
    if (options_.batch > 1) {
        report.metric("events_per_cpu_s", "published events per server CPU-second",
                      serverCpu > 0 ? count(publisher_->accepted() * options_.batch) / serverCpu : NAN, "",
                      0);
    }
    if (serverCpu < 0.2) {
        report.note("server CPU over the window is under 0.2 s: per-CPU-second figures carry up to " +
                    fixed(1.0 / std::max(serverCpu, 0.01), 0) + " % error (10 ms tick)");
    }
}

void LoadRun::checkPublishing(BenchReport& report, const DeliveryLedger::Totals& totals) {
    const HttpPublisher& p = *publisher_;
    const bool lossy = totals.expected != totals.delivered || ledger_.duplicates() > 0;
    if (!options_.requireLossless) {
        if (lossy) report.note("deliveries were lost or duplicated (see delivery ratio)");
        return;
    }
    if (lossy) {
        report.failure(std::to_string(totals.expected - totals.delivered) + " deliveries lost, " +
                       std::to_string(ledger_.duplicates()) + " duplicated");
    }
    if (p.rejected() + p.unanswered() > 0) {
        report.failure(std::to_string(p.rejected() + p.unanswered()) + " publish requests failed");
    }
    if (p.accepted() == 0) report.failure("no event was accepted");
}

void LoadRun::headlinePublishing(BenchReport& report, const DeliveryLedger::Totals& totals, double seconds,
                                 double serverCpu) {
    const HttpPublisher& p = *publisher_;
    const bool perCpu = server_.enabled() && serverCpu > 0;
    std::string line;
    if (options_.mode == Mode::Fanout) {
        const LatencyHistogram& h = fleet_->deliveryLatency();
        const double percent = totals.expected ? 100.0 * count(totals.delivered) / count(totals.expected) : 0;
        line = "p50 " + fixed(ms(h.percentile(0.5)), 2) + " ms, p99 " + fixed(ms(h.percentile(0.99)), 2) +
               " ms, delivered " + fixed(percent, 3) + " % (" +
               std::to_string(totals.expected - totals.delivered) + " lost, " +
               std::to_string(ledger_.duplicates()) + " dup), " + compact(count(totals.delivered) / seconds) +
               " deliveries/s";
        if (perCpu) line += ", " + compact(count(totals.delivered) / serverCpu) + " deliveries/CPU-s";
        if (p.skipped() * 100 > p.sent() + p.skipped()) {  // more than 1 % of the planned events
            line += ", publish rate reached only " + fixed(report.value("publish_rate_achieved"), 0) +
                    " of " + fixed(options_.rate, 0) + "/s";
        }
    } else {
        const LatencyHistogram& h = options_.rate > 0 ? p.scheduledToResponse() : p.responseLatency();
        line = compact(count(p.accepted()) / seconds) + " req/s";
        if (perCpu) line += ", " + compact(count(p.accepted()) / serverCpu) + " req/CPU-s";
        line += ", p50 " + fixed(ms(h.percentile(0.5)), 2) + " ms, p99 " + fixed(ms(h.percentile(0.99)), 2) +
                " ms";
        if (p.rejected() + p.unanswered() > 0) {
            line += ", " + std::to_string(p.rejected() + p.unanswered()) + " failed";
        }
    }
    report.headline(line);
}

void LoadRun::reportPublishRun(BenchReport& report, const PublishWindow& window) {
    reportPublishing(report, window);
    const DeliveryLedger::Totals totals = reportDeliveries(report, window);
    const double serverCpu = reportCpu(report, "", window.before, window.after, window.seconds);
    reportEfficiency(report, totals, serverCpu);
    checkPublishing(report, totals);
    headlinePublishing(report, totals, window.seconds, serverCpu);
}

void LoadRun::reportIdleConnections(BenchReport& report, const std::optional<ProcMemory>& after) {
    const double n = count(fleet_->subscribedCount());
    if (memoryBefore_ && after && n > 0) {
        report.metric("server_rss_before_mib", "server VmRSS before", memoryBefore_->vmRssKb / 1024.0, "MiB",
                      1);
        report.metric("server_rss_after_mib", "server VmRSS after", after->vmRssKb / 1024.0, "MiB", 1);
        report.metric("server_rss_anon_after_mib", "server RssAnon after", after->rssAnonKb / 1024.0, "MiB",
                      1);
        report.metric("bytes_per_connection_rss", "VmRSS per connection",
                      (count(after->vmRssKb) - count(memoryBefore_->vmRssKb)) * 1024.0 / n, "B", 0);
        report.metric("bytes_per_connection_anon", "RssAnon per connection",
                      (count(after->rssAnonKb) - count(memoryBefore_->rssAnonKb)) * 1024.0 / n, "B", 0);
        report.metric("server_threads", "server threads", after->threads, "", 0);
    }
    report.metric("subscribers_dropped", "subscribers dropped while idle",
                  count(fleet_->droppedAfterSubscribe()), "", 0);
    if (fleet_->droppedAfterSubscribe() > 0) {
        report.failure(std::to_string(fleet_->droppedAfterSubscribe()) +
                       " idle subscribers were disconnected");
    }
    const LatencyHistogram& h = fleet_->connectToSubscribed();
    std::string line = std::to_string(fleet_->subscribedCount()) + "/" +
                       std::to_string(options_.subscribers) + " subscribed, connect->subscribed p50 " +
                       fixed(ms(h.percentile(0.5)), 2) + " ms p99 " + fixed(ms(h.percentile(0.99)), 2) +
                       " ms";
    const double perConnection = report.value("bytes_per_connection_rss");
    if (std::isfinite(perConnection)) line += ", " + fixed(perConnection, 0) + " B/conn (VmRSS)";
    report.headline(line);
}

}  // namespace resound::bench
