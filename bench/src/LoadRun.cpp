#include "LoadRun.h"

#include <sys/resource.h>

#include <cmath>

#include "Clock.h"

namespace resound::bench {
namespace {

constexpr int kEventBatch = 1024;
constexpr int kWaitMs = 5;
constexpr std::int64_t kLivenessCheckNs = 200'000'000;  // /proc/<pid>/stat read five times a second

double ms(std::int64_t ns) { return static_cast<double>(ns) / 1e6; }

std::int64_t secondsToNs(double seconds) { return static_cast<std::int64_t>(seconds * 1e9); }

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

std::size_t raiseFileLimit() {
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return 1024;
    if (limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        setrlimit(RLIMIT_NOFILE, &limit);
        getrlimit(RLIMIT_NOFILE, &limit);
    }
    return static_cast<std::size_t>(limit.rlim_cur);
}

}  // namespace

LoadRun::LoadRun(const BenchOptions& options)
    : options_(options),
      dialer_(options.host, options.port, options.sourceAddresses),
      server_(options.serverPid),
      ledger_(options.subscribers, options.channels) {}

void LoadRun::recordParams(BenchReport& report) const {
    const char* mode = options_.mode == Mode::Connect ? "connect" : options_.mode == Mode::Fanout ? "fanout" : "publish";
    report.param("mode", mode);
    report.param("subscribers", static_cast<double>(options_.subscribers));
    report.param("channels", static_cast<double>(options_.channels));
    if (options_.mode != Mode::Connect) {
        report.param("rate", options_.rate, 1);
        report.param("duration_s", options_.durationSeconds, 1);
        report.param("publish_connections", static_cast<double>(options_.publishConnections));
    }
    report.param("source_addresses", options_.sourceAddresses);
    report.param("server_pid", options_.serverPid);
    for (const auto& [key, value] : options_.extraParams) report.param(key, value);
}

bool LoadRun::checkResources(BenchReport& report) {
    if (!dialer_.valid()) {
        report.failure("--host must be an IPv4 address: " + options_.host);
        return false;
    }
    const std::size_t limit = raiseFileLimit();
    const std::size_t needed = options_.subscribers + options_.publishConnections + 32;
    if (needed > limit) {
        report.failure("need " + std::to_string(needed) + " file descriptors but RLIMIT_NOFILE is " +
                       std::to_string(limit));
        return false;
    }
    if (!server_.alive()) {
        report.failure("server pid " + std::to_string(options_.serverPid) + " is not running");
        return false;
    }
    return true;
}

void LoadRun::runUntil(std::int64_t deadlineNs, const std::function<bool(std::int64_t)>& done) {
    epoll_event events[kEventBatch];
    std::int64_t nextLivenessCheck = 0;
    for (;;) {
        std::int64_t now = monotonicNs();
        if (done(now) || now >= deadlineNs || serverGone_) return;
        if (now >= nextLivenessCheck) {
            serverGone_ = !server_.alive();
            nextLivenessCheck = now + kLivenessCheckNs;
        }
        if (fleet_ && !fleet_->allStarted()) fleet_->startConnections(now);
        const int waitMs = static_cast<int>(std::min<std::int64_t>(kWaitMs, (deadlineNs - now) / kNsPerMs + 1));
        const int n = loop_.wait(events, kEventBatch, waitMs);
        now = monotonicNs();
        for (int i = 0; i < n; ++i) {
            const std::uint64_t token = events[i].data.u64;
            switch (tokenKind(token)) {
                case TokenKind::Subscriber:
                    if (fleet_) fleet_->onEvent(tokenIndex(token), events[i].events, now);
                    break;
                case TokenKind::HttpConnection:
                    if (publisher_) publisher_->onEvent(tokenIndex(token), events[i].events, now);
                    break;
                case TokenKind::Timer:
                    if (publisher_) publisher_->onTimer(monotonicNs());
                    break;
            }
        }
    }
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
    }
    report.metric(key + "client_cpu_s", label + "load generator CPU", self, "s", 2);
    report.metric(key + "client_cpu_utilisation", label + "load generator CPU / wall", self / seconds, "", 3);
    if (self / seconds > 0.9) {
        report.note(label + "the load generator used >90 % of its core: figures may be limited by the client");
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
            report.metric(key + "server_runqueue_wait_s", label + "server waiting for a CPU", serverWait, "s", 3);
            report.metric(key + "client_runqueue_wait_s", label + "load generator waiting for a CPU", selfWait, "s", 3);
        }
        if (other > 0.1 + 0.1 * seconds || steal > 0.05 + 0.05 * seconds || serverWait > 0.02 * seconds + 0.01 ||
            selfWait > 0.02 * seconds + 0.01) {
            machineNoisy_ = true;
            report.note(label + "the machine was not quiet (" + fixed(other, 2) + " CPU-s by other processes, " +
                        fixed(steal, 2) + " s stolen, server kept waiting for a CPU " + fixed(serverWait, 3) +
                        " s, load generator " + fixed(selfWait, 3) + " s, in " + fixed(seconds, 1) +
                        " s): latency and throughput figures are unreliable");
        }
    }
    return server;
}

void LoadRun::connectSubscribers(BenchReport& report) {
    FleetConfig config;
    config.hostHeader = options_.host + ":" + std::to_string(options_.port);
    config.appKey = options_.appKey;
    config.subscribers = options_.subscribers;
    config.channels = options_.channels;
    config.channelPrefix = options_.channelPrefix;
    config.eventName = options_.eventName;
    config.connectConcurrency = options_.connectConcurrency;
    fleet_ = std::make_unique<SubscriberFleet>(loop_, dialer_, config, ledger_);
    if (options_.subscribers == 0) return;

    const CpuSnapshot cpuBefore = takeCpuSnapshot(server_);
    const std::int64_t start = monotonicNs();
    runUntil(start + secondsToNs(options_.connectTimeoutSeconds),
             [&](std::int64_t) { return fleet_->allStarted() && fleet_->inProgress() == 0; });
    const std::int64_t end = monotonicNs();
    fleet_->abandonPending();
    const CpuSnapshot cpuAfter = takeCpuSnapshot(server_);

    const double seconds = static_cast<double>(end - start) / 1e9;
    reportConnectPhase(report, seconds);
    const double serverCpu = reportCpu(report, "connect", cpuBefore, cpuAfter, seconds);
    if (server_.enabled() && fleet_->subscribedCount() > 0) {
        report.metric("connect_server_cpu_us_per_connection", "server CPU per connect+subscribe",
                      serverCpu * 1e6 / static_cast<double>(fleet_->subscribedCount()), "us", 1);
    }
    if (fleet_->subscribedCount() < options_.subscribers) {
        report.failure(std::to_string(options_.subscribers - fleet_->subscribedCount()) + " of " +
                       std::to_string(options_.subscribers) + " subscribers did not get subscribed");
    }
}

void LoadRun::reportConnectPhase(BenchReport& report, double seconds) {
    report.metric("subscribed", "subscribed connections", static_cast<double>(fleet_->subscribedCount()), "", 0);
    report.metric("handshake_failures", "failed handshakes", static_cast<double>(fleet_->failedCount()), "", 0);
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

void LoadRun::publishAndDrain(BenchReport& report) {
    PublisherConfig config;
    config.hostHeader = options_.host + ":" + std::to_string(options_.port);
    config.appId = options_.appId;
    config.appKey = options_.appKey;
    config.appSecret = options_.appSecret;
    config.connections = options_.publishConnections;
    config.rate = options_.rate;
    config.durationNs = secondsToNs(options_.durationSeconds);
    config.maxEvents = options_.maxEvents;
    config.channels = options_.channels;
    config.channelPrefix = options_.channelPrefix;
    config.eventName = options_.eventName;
    publisher_ = std::make_unique<HttpPublisher>(loop_, dialer_, config, &ledger_);
    publisher_->connect();
    runUntil(monotonicNs() + 5 * kNsPerSecond,
             [&](std::int64_t) { return publisher_->readyConnections() == options_.publishConnections; });
    if (publisher_->readyConnections() == 0) {
        report.failure("no publisher connection could be opened");
        return;
    }
    if (publisher_->readyConnections() < options_.publishConnections) {
        report.note("only " + std::to_string(publisher_->readyConnections()) + " publisher connections opened");
    }
    runUntil(monotonicNs() + secondsToNs(options_.settleSeconds), [](std::int64_t) { return false; });

    // Expected deliveries are counted against subscribers that were subscribed when publishing began.
    const std::vector<bool> counted = fleet_ ? fleet_->everSubscribed() : std::vector<bool>{};
    std::vector<std::uint64_t> subscribersOn(options_.channels, 0);
    for (std::size_t s = 0; s < counted.size(); ++s) subscribersOn[s % options_.channels] += counted[s];
    auto expectedSoFar = [&] {
        std::uint64_t expected = 0;
        for (std::size_t c = 0; c < options_.channels; ++c) expected += ledger_.acceptedOn(c) * subscribersOn[c];
        return expected;
    };

    const CpuSnapshot cpu0 = takeCpuSnapshot(server_);
    const std::int64_t t0 = monotonicNs();
    publisher_->start(t0);
    const std::int64_t drainNs = secondsToNs(options_.drainSeconds);
    const std::int64_t hardDeadline = t0 + secondsToNs(options_.durationSeconds) + drainNs + 30 * kNsPerSecond;
    runUntil(hardDeadline, [&](std::int64_t now) {
        if (publisher_->stalled()) return true;
        if (!publisher_->finished(now)) return false;
        if (ledger_.uniqueDeliveries() >= expectedSoFar()) return true;
        return now - std::max(publisher_->lastResponseNs(), t0 + secondsToNs(options_.durationSeconds)) > drainNs;
    });
    const std::int64_t t1 = monotonicNs();
    const CpuSnapshot cpu1 = takeCpuSnapshot(server_);
    const double window = static_cast<double>(t1 - t0) / 1e9;
    if (publisher_->stalled() && !publisher_->finished(t1)) {
        report.failure("every publisher connection failed; publishing stopped");
    } else if (!publisher_->finished(t1) && !serverGone_) {
        report.failure("publishing did not finish before the hard deadline");
    }

    // HTTP side.
    const double accepted = static_cast<double>(publisher_->accepted());
    report.metric("events_sent", "publish requests sent", static_cast<double>(publisher_->sent()), "", 0);
    report.metric("events_accepted", "publish requests 2xx", accepted, "", 0);
    report.metric("events_rejected", "publish requests non-2xx", static_cast<double>(publisher_->rejected()), "", 0);
    report.metric("events_unanswered", "publish requests unanswered", static_cast<double>(publisher_->unanswered()), "", 0);
    if (options_.rate > 0) {
        report.metric("events_skipped", "events never sent (publisher behind)", static_cast<double>(publisher_->skipped()), "", 0);
        if (publisher_->skipped() > 0) {
            report.note(std::to_string(publisher_->skipped()) +
                        " planned events were never sent: the server answered too slowly for the offered rate");
        }
    }
    report.metric("publish_reconnects", "publisher reconnects", static_cast<double>(publisher_->reconnects()), "", 0);
    report.metric("publish_rate_achieved", "publish rate achieved", accepted / std::min(window, std::max(options_.durationSeconds, 1e-9)), "/s", 1);
    report.metric("window_s", "measurement window", window, "s", 3);
    if (options_.rate > 0) {
        addLatency(report, "publish_latency", "publish (scheduled->response)", publisher_->scheduledToResponse());
        report.metric("publish_schedule_lag_p99_ms", "publisher schedule lag p99",
                      ms(publisher_->scheduleLag().percentile(0.99)), "ms", 3);
        report.metric("publish_schedule_lag_max_ms", "publisher schedule lag max", ms(publisher_->scheduleLag().max()), "ms", 3);
    }
    addLatency(report, "publish_response", "publish (write->response)", publisher_->responseLatency());
    if (publisher_->rejected() > 0) report.note("first non-2xx answer: " + publisher_->firstErrorBody());
    for (const auto& [status, count] : publisher_->statusCounts()) {
        if (status < 200 || status >= 300) report.note("HTTP " + std::to_string(status) + " x" + std::to_string(count));
    }

    // Delivery side.
    DeliveryLedger::Totals totals{};
    if (fleet_ && options_.subscribers > 0) {
        totals = ledger_.totals(fleet_->channelOfEach(), counted);
        const double ratio = totals.expected ? static_cast<double>(totals.delivered) / static_cast<double>(totals.expected) : NAN;
        report.metric("deliveries_expected", "deliveries expected", static_cast<double>(totals.expected), "", 0);
        report.metric("deliveries", "deliveries received (unique)", static_cast<double>(totals.delivered), "", 0);
        report.metric("deliveries_lost", "deliveries lost", static_cast<double>(totals.expected - totals.delivered), "", 0);
        report.metric("delivery_ratio", "delivery ratio", ratio, "", 6);
        report.metric("duplicates", "duplicate deliveries", static_cast<double>(ledger_.duplicates()), "", 0);
        report.metric("deliveries_of_unaccepted", "deliveries of non-2xx events", static_cast<double>(totals.unexpected), "", 0);
        report.metric("subscribers_dropped", "subscribers dropped mid-run", static_cast<double>(fleet_->droppedAfterSubscribe()), "", 0);
        report.metric("deliveries_per_s", "delivery throughput", static_cast<double>(totals.delivered) / window, "/s", 0);
        addLatency(report, "latency", "delivery latency", fleet_->deliveryLatency());
        addLatency(report, "latency_kernel", "delivery latency (kernel receipt)", fleet_->kernelDeliveryLatency());
    }

    // CPU.
    const double serverCpu = reportCpu(report, "", cpu0, cpu1, window);
    if (server_.enabled()) {
        if (options_.subscribers > 0) {
            report.metric("deliveries_per_cpu_s", "deliveries per server CPU-second",
                          serverCpu > 0 ? static_cast<double>(totals.delivered) / serverCpu : NAN, "", 0);
        }
        report.metric("requests_per_cpu_s", "publish requests per server CPU-second",
                      serverCpu > 0 ? accepted / serverCpu : NAN, "", 0);
        if (serverCpu < 0.2) {
            report.note("server CPU over the window is under 0.2 s: per-CPU-second figures carry up to " +
                        fixed(1.0 / std::max(serverCpu, 0.01), 0) + " % error (10 ms tick)");
        }
    }

    // Checks.
    const bool lossy = totals.expected != totals.delivered || ledger_.duplicates() > 0;
    if (options_.requireLossless) {
        if (lossy) {
            report.failure(std::to_string(totals.expected - totals.delivered) + " deliveries lost, " +
                           std::to_string(ledger_.duplicates()) + " duplicated");
        }
        if (publisher_->rejected() + publisher_->unanswered() > 0) {
            report.failure(std::to_string(publisher_->rejected() + publisher_->unanswered()) +
                           " publish requests failed");
        }
        if (publisher_->accepted() == 0) report.failure("no event was accepted");
        if (publisher_->skipped() > 0) report.failure("the offered rate was not reached");
    } else if (lossy) {
        report.note("deliveries were lost or duplicated (see delivery ratio)");
    }

    // Headline for the runner's table.
    if (options_.mode == Mode::Fanout) {
        const LatencyHistogram& h = fleet_->deliveryLatency();
        std::string line = "p50 " + fixed(ms(h.percentile(0.5)), 2) + " ms, p99 " + fixed(ms(h.percentile(0.99)), 2) +
                           " ms, delivered " +
                           fixed(totals.expected ? 100.0 * static_cast<double>(totals.delivered) / static_cast<double>(totals.expected) : 0, 3) +
                           " % (" + std::to_string(totals.expected - totals.delivered) + " lost, " +
                           std::to_string(ledger_.duplicates()) + " dup), " + compact(static_cast<double>(totals.delivered) / window) + " deliveries/s";
        if (server_.enabled() && serverCpu > 0) line += ", " + compact(static_cast<double>(totals.delivered) / serverCpu) + " deliveries/CPU-s";
        if (publisher_->skipped() > 0) {
            line += ", publish rate reached only " + fixed(report.value("publish_rate_achieved"), 0) + " of " +
                    fixed(options_.rate, 0) + "/s";
        }
        report.headline(line);
    } else {
        const LatencyHistogram& h = options_.rate > 0 ? publisher_->scheduledToResponse() : publisher_->responseLatency();
        std::string line = compact(accepted / window) + " req/s";
        if (server_.enabled() && serverCpu > 0) line += ", " + compact(accepted / serverCpu) + " req/CPU-s";
        line += ", p50 " + fixed(ms(h.percentile(0.5)), 2) + " ms, p99 " + fixed(ms(h.percentile(0.99)), 2) + " ms";
        if (publisher_->rejected() + publisher_->unanswered() > 0) {
            line += ", " + std::to_string(publisher_->rejected() + publisher_->unanswered()) + " failed";
        }
        report.headline(line);
    }
}

void LoadRun::execute(BenchReport& report) {
    recordParams(report);
    if (!checkResources(report)) return;
    memoryBefore_ = server_.memory();

    connectSubscribers(report);

    if (options_.mode == Mode::Connect) {
        runUntil(monotonicNs() + secondsToNs(options_.settleSeconds), [](std::int64_t) { return false; });
        const auto after = server_.memory();
        const double n = static_cast<double>(fleet_->subscribedCount());
        if (memoryBefore_ && after && n > 0) {
            report.metric("server_rss_before_mib", "server VmRSS before", memoryBefore_->vmRssKb / 1024.0, "MiB", 1);
            report.metric("server_rss_after_mib", "server VmRSS after", after->vmRssKb / 1024.0, "MiB", 1);
            report.metric("server_rss_anon_after_mib", "server RssAnon after", after->rssAnonKb / 1024.0, "MiB", 1);
            report.metric("bytes_per_connection_rss",
                          "VmRSS per connection", (static_cast<double>(after->vmRssKb) - memoryBefore_->vmRssKb) * 1024.0 / n, "B", 0);
            report.metric("bytes_per_connection_anon", "RssAnon per connection",
                          (static_cast<double>(after->rssAnonKb) - memoryBefore_->rssAnonKb) * 1024.0 / n, "B", 0);
            report.metric("server_threads", "server threads", after->threads, "", 0);
        }
        if (options_.holdSeconds > 0) {
            runUntil(monotonicNs() + secondsToNs(options_.holdSeconds), [](std::int64_t) { return false; });
        }
        report.metric("subscribers_dropped", "subscribers dropped while idle",
                      static_cast<double>(fleet_->droppedAfterSubscribe()), "", 0);
        if (fleet_->droppedAfterSubscribe() > 0) {
            report.failure(std::to_string(fleet_->droppedAfterSubscribe()) + " idle subscribers were disconnected");
        }
        const LatencyHistogram& h = fleet_->connectToSubscribed();
        std::string line = std::to_string(fleet_->subscribedCount()) + "/" + std::to_string(options_.subscribers) +
                           " subscribed, connect->subscribed p50 " + fixed(ms(h.percentile(0.5)), 2) + " ms p99 " +
                           fixed(ms(h.percentile(0.99)), 2) + " ms";
        const double perConnection = report.value("bytes_per_connection_rss");
        if (std::isfinite(perConnection)) line += ", " + fixed(perConnection, 0) + " B/conn (VmRSS)";
        report.headline(line);
    } else {
        publishAndDrain(report);
    }
    reportProblems(report);
    if (machineNoisy_) report.headline(report.headline() + " [machine busy: unreliable]");
    if (publisher_) publisher_->closeAll();
    if (fleet_) fleet_->closeAll();
}

}  // namespace resound::bench
