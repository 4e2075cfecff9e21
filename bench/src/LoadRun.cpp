#include "LoadRun.h"

#include <algorithm>
#include <fstream>

#include "Clock.h"
#include "CommandLine.h"

namespace resound::bench {
namespace {

constexpr int kEventBatch = 1024;
constexpr int kWaitMs = 5;
constexpr std::int64_t kLivenessCheckNs = 200'000'000;  // /proc/<pid>/stat read five times a second

std::int64_t secondsToNs(double seconds) { return static_cast<std::int64_t>(seconds * 1e9); }

}  // namespace

LoadRun::LoadRun(const BenchOptions& options)
    : options_(options),
      subscriberDialer_(options.host, options.wsPorts, options.sourceAddresses),
      publisherDialer_(options.host, {options.port}, options.sourceAddresses),
      server_(options.servers),
      ledger_(options.subscribers, options.channels) {}

bool LoadRun::checkResources(BenchReport& report) {
    if (!subscriberDialer_.valid() || !publisherDialer_.valid()) {
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
        report.failure("server pid " + std::to_string(server_.firstDead()) + " is not running");
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
        const int waitMs =
            static_cast<int>(std::min<std::int64_t>(kWaitMs, (deadlineNs - now) / kNsPerMs + 1));
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

void LoadRun::connectSubscribers(BenchReport& report) {
    FleetConfig config;
    config.hostHeader = options_.host + ":" + std::to_string(options_.port);
    config.appKey = options_.appKey;
    config.subscribers = options_.subscribers;
    config.channels = options_.channels;
    config.channelPrefix = options_.channelPrefix;
    config.eventName = options_.eventName;
    config.connectConcurrency = options_.connectConcurrency;
    fleet_ = std::make_unique<SubscriberFleet>(loop_, subscriberDialer_, config, ledger_);
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

void LoadRun::writeConnectLatencies(BenchReport& report) const {
    if (options_.connectLatenciesPath.empty() || !fleet_) return;
    std::ofstream out(options_.connectLatenciesPath);
    for (const std::int64_t ns : fleet_->subscribeLatenciesNs()) out << ns << '\n';
    if (!out) report.failure("cannot write " + options_.connectLatenciesPath);
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
    config.batch = options_.batch;
    publisher_ = std::make_unique<HttpPublisher>(loop_, publisherDialer_, config, &ledger_);
    publisher_->connect();
    runUntil(monotonicNs() + 5 * kNsPerSecond,
             [&](std::int64_t) { return publisher_->readyConnections() == options_.publishConnections; });
    if (publisher_->readyConnections() == 0) {
        report.failure("no publisher connection could be opened");
        return;
    }
    if (publisher_->readyConnections() < options_.publishConnections) {
        report.note("only " + std::to_string(publisher_->readyConnections()) +
                    " publisher connections opened");
    }
    runUntil(monotonicNs() + secondsToNs(options_.settleSeconds), [](std::int64_t) { return false; });

    // Expected deliveries are counted against subscribers that were subscribed when publishing began.
    std::vector<bool> counted = fleet_ ? fleet_->everSubscribed() : std::vector<bool>{};
    std::vector<std::uint64_t> subscribersOn(options_.channels, 0);
    for (std::size_t s = 0; s < counted.size(); ++s) subscribersOn[s % options_.channels] += counted[s];
    auto expectedSoFar = [&] {
        std::uint64_t expected = 0;
        for (std::size_t c = 0; c < options_.channels; ++c)
            expected += ledger_.acceptedOn(c) * subscribersOn[c];
        return expected;
    };

    PublishWindow window;
    window.counted = std::move(counted);
    window.before = takeCpuSnapshot(server_);
    const std::int64_t t0 = monotonicNs();
    publisher_->start(t0);
    const std::int64_t drainNs = secondsToNs(options_.drainSeconds);
    const std::int64_t hardDeadline =
        t0 + secondsToNs(options_.durationSeconds) + drainNs + 30 * kNsPerSecond;
    runUntil(hardDeadline, [&](std::int64_t now) {
        if (publisher_->stalled()) return true;
        if (!publisher_->finished(now)) return false;
        if (ledger_.uniqueDeliveries() >= expectedSoFar()) return true;
        return now - std::max(publisher_->lastResponseNs(), t0 + secondsToNs(options_.durationSeconds)) >
               drainNs;
    });
    const std::int64_t t1 = monotonicNs();
    window.after = takeCpuSnapshot(server_);
    window.seconds = static_cast<double>(t1 - t0) / 1e9;
    if (publisher_->stalled() && !publisher_->finished(t1)) {
        report.failure("every publisher connection failed; publishing stopped");
    } else if (!publisher_->finished(t1) && !serverGone_) {
        report.failure("publishing did not finish before the hard deadline");
    }

    reportPublishRun(report, window);
}

void LoadRun::execute(BenchReport& report) {
    recordParams(report);
    if (!checkResources(report)) return;
    memoryBefore_ = server_.memory();

    connectSubscribers(report);
    writeConnectLatencies(report);

    if (options_.mode == Mode::Connect) {
        runUntil(monotonicNs() + secondsToNs(options_.settleSeconds), [](std::int64_t) { return false; });
        const auto after = server_.memory();
        if (options_.holdSeconds > 0) {
            runUntil(monotonicNs() + secondsToNs(options_.holdSeconds), [](std::int64_t) { return false; });
        }
        reportIdleConnections(report, after);
    } else {
        publishAndDrain(report);
    }
    reportProblems(report);
    if (machineNoisy_) report.headline(report.headline() + " [machine busy: unreliable]");
    if (publisher_) publisher_->closeAll();
    if (fleet_) fleet_->closeAll();
}

}  // namespace resound::bench
