#pragma once
// Command-line options of resound-bench, parsed once in main() and passed down read-only.
#include <sys/types.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "ServerProbe.h"

namespace resound::bench {

enum class Mode { Connect, Fanout, Publish };

struct BenchOptions {
    Mode mode = Mode::Fanout;
    std::string name;  // scenario name in the report; defaults to the mode
    std::string host = "127.0.0.1";
    std::uint16_t port = 8080;           // HTTP API (publisher); also WebSocket unless wsPorts is set
    std::vector<std::uint16_t> wsPorts;  // --ws-ports: subscriber i connects to wsPorts[i % size]
    std::string appId = "bench";
    std::string appKey = "bench-key";
    std::string appSecret = "bench-secret";
    // --server-pid [NAME=]PID, repeatable: the figures are summed over all of them. None: no
    // server-side CPU or memory figures.
    std::vector<ServerProcess> servers;

    std::size_t subscribers = 1000;
    std::size_t channels = 1;
    std::string channelPrefix = "bench-";
    std::string eventName = "bench-event";
    double rate = 100;                   // events (or requests) per second in total; 0 = closed loop
    double durationSeconds = 10;         // publishing window
    double drainSeconds = 3;             // wait for outstanding deliveries after the last response
    double settleSeconds = 1;            // idle time before memory is read
    double holdSeconds = 0;              // keep subscribers connected this long after measuring
    double connectTimeoutSeconds = 120;  // whole connect phase
    std::uint64_t maxEvents = 10'000'000;
    std::size_t publishConnections = 4;
    std::size_t batch = 1;  // publish mode: events per request (> 1: POST batch_events)
    std::size_t connectConcurrency = 256;
    unsigned sourceAddresses = 8;

    bool requireLossless = false;                                  // fail on any lost or duplicate delivery
    std::vector<std::pair<std::string, std::string>> extraParams;  // --param KEY=VALUE, copied to the report
    std::string jsonPath;
    std::string summaryPath;
    std::string connectLatenciesPath;  // connect->subscribed of each subscriber, ns, one per line
};

// Parses argv; on error or --help returns false with `message` set (usage text included).
bool parseBenchOptions(int argc, char** argv, BenchOptions& options, std::string& message);

std::string benchUsage();

}  // namespace resound::bench
