#pragma once
// Runs one benchmark scenario end to end on a single epoll loop: connect and subscribe, optionally
// publish and drain, then fill a BenchReport. Reads like the scenario it measures. One thread.
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "BenchOptions.h"
#include "BenchReport.h"
#include "DeliveryLedger.h"
#include "EventLoop.h"
#include "HttpPublisher.h"
#include "ServerProbe.h"
#include "SubscriberFleet.h"
#include "TcpDialer.h"

namespace resound::bench {

class LoadRun {
  public:
    explicit LoadRun(const BenchOptions& options);
    // Fills `report`; its ok() says whether every check passed.
    void execute(BenchReport& report);

  private:
    bool checkResources(BenchReport& report);
    // Connect phase; false if it could not even start.
    void connectSubscribers(BenchReport& report);
    void writeConnectLatencies(BenchReport& report) const;
    void publishAndDrain(BenchReport& report);
    // Dispatches loop events until `done()` or the deadline (monotonic ns).
    void runUntil(std::int64_t deadlineNs, const std::function<bool(std::int64_t)>& done);
    // What one publishing window saw: its length, CPU counters at both ends, and which subscribers
    // were subscribed when it began (the ones expected to receive its events).
    struct PublishWindow {
        double seconds = 0;
        CpuSnapshot before;
        CpuSnapshot after;
        std::vector<bool> counted;
    };

    // Reporting (LoadRunReport.cpp).
    void reportConnectPhase(BenchReport& report, double seconds);
    void reportIdleConnections(BenchReport& report, const std::optional<ProcMemory>& after);
    void reportPublishRun(BenchReport& report, const PublishWindow& window);
    void reportPublishing(BenchReport& report, const PublishWindow& window);
    DeliveryLedger::Totals reportDeliveries(BenchReport& report, const PublishWindow& window);
    void reportEfficiency(BenchReport& report, const DeliveryLedger::Totals& totals, double serverCpu);
    void checkPublishing(BenchReport& report, const DeliveryLedger::Totals& totals);
    void headlinePublishing(BenchReport& report, const DeliveryLedger::Totals& totals, double seconds,
                            double serverCpu);
    void reportProblems(BenchReport& report);
    void recordParams(BenchReport& report) const;
    // Server, load generator and other processes' CPU between two snapshots `seconds` apart.
    // Returns the server's CPU seconds (NaN when not measured).
    double reportCpu(BenchReport& report, const std::string& prefix, const CpuSnapshot& before,
                     const CpuSnapshot& after, double seconds);

    BenchOptions options_;
    EventLoop loop_;
    TcpDialer subscriberDialer_;  // the WebSocket ports (one server, or the edges of a cluster)
    TcpDialer publisherDialer_;   // the HTTP API port
    ServerProbe server_;
    DeliveryLedger ledger_;
    std::unique_ptr<SubscriberFleet> fleet_;
    std::unique_ptr<HttpPublisher> publisher_;
    std::optional<ProcMemory> memoryBefore_;
    bool machineNoisy_ = false;  // other processes or the hypervisor took noticeable CPU during a phase
    bool serverGone_ = false;    // the server process ended or became a zombie: every wait stops
};

}  // namespace resound::bench
