#include "BenchOptions.h"

#include "CommandLine.h"

namespace resound::bench {
namespace {

bool toPort(const std::string& text, std::uint16_t& out) {
    std::uint64_t n = 0;
    if (!parseUnsigned(text, n) || n == 0 || n > 65535) return false;
    out = static_cast<std::uint16_t>(n);
    return true;
}

// "P1,P2,..." -> ports; false on an empty item or a bad number.
bool toPortList(const std::string& text, std::vector<std::uint16_t>& out) {
    out.clear();
    std::size_t start = 0;
    for (;;) {
        const std::size_t comma = text.find(',', start);
        std::uint16_t port = 0;
        if (!toPort(text.substr(start, comma - start), port)) return false;
        out.push_back(port);
        if (comma == std::string::npos) return true;
        start = comma + 1;
    }
}

// "[NAME=]PID" -> a measured process; the name defaults to "pid<PID>".
bool toServerProcess(const std::string& text, ServerProcess& out) {
    const std::size_t eq = text.find('=');
    const std::string pidText = eq == std::string::npos ? text : text.substr(eq + 1);
    std::uint64_t n = 0;
    if (eq == 0 || !parseUnsigned(pidText, n) || n == 0 || n > 0x7fffffff) return false;
    out.pid = static_cast<pid_t>(n);
    out.name = eq == std::string::npos ? "pid" + pidText : text.substr(0, eq);
    return true;
}

}  // namespace

std::string benchUsage() {
    return R"(usage: resound-bench --mode connect|fanout|publish [options]

modes:
  connect   open --subscribers WebSocket connections over --channels channels, subscribe each,
            report connect->subscribed latency and server memory per connection
  fanout    connect subscribers, then publish --rate events/s over HTTP for --duration seconds;
            report delivery latency, delivery ratio, deliveries per server CPU-second
  publish   HTTP publish API load over --publish-connections keep-alive connections, closed loop
            (--rate 0) or fixed rate; report requests per server CPU-second and latency;
            --batch N (2..10) posts batch_events with N events per request

server:      --host 127.0.0.1 --port 8080 --app-id bench --app-key bench-key --app-secret bench-secret
             --server-pid [NAME=]PID (enables /proc CPU and memory figures; repeatable: several
               processes, e.g. edges + api + redis-server, are measured as one server, their sum)
             --ws-ports P1,P2,... (subscriber i connects to P(i mod n); --port stays the HTTP API)
shape:       --subscribers N --channels N --rate R --duration S --drain S --settle S --hold S
             --max-events N --publish-connections N --batch N --connect-concurrency N --connect-timeout S
             --source-addresses N (bind 127.0.0.2.. before connect; 0 = kernel choice)
             --channel-prefix P --event-name E
output:      --name NAME --json FILE --summary FILE (appends one tab-separated line)
             --param KEY=VALUE (repeatable; recorded in the report's params, e.g. the server's io_threads)
             --connect-latencies FILE (connect->subscribed of every subscriber in ns, one per line, so
               a runner can merge several load generators' samples into exact percentiles)
checks:      --require-lossless (exit 1 on any lost or duplicate delivery)
exit status: 0 ok, 1 a check failed (loss, server died, handshakes failed), 2 bad usage
)";
}

bool parseBenchOptions(int argc, char** argv, BenchOptions& o, std::string& message) {
    bool subscribersGiven = false;
    const OptionSetter subscribers = setSize(o.subscribers);
    const OptionSetters setters = {
        {"--mode",
         [&](const std::string& v) {
             if (v == "connect") o.mode = Mode::Connect;
             else if (v == "fanout") o.mode = Mode::Fanout;
             else if (v == "publish") o.mode = Mode::Publish;
             else return false;
             return true;
         }},
        {"--name", setText(o.name)},
        {"--host", setText(o.host)},
        {"--port", [&](const std::string& v) { return toPort(v, o.port); }},
        {"--ws-ports", [&](const std::string& v) { return toPortList(v, o.wsPorts); }},
        {"--app-id", setText(o.appId)},
        {"--app-key", setText(o.appKey)},
        {"--app-secret", setText(o.appSecret)},
        {"--server-pid",
         [&](const std::string& v) {
             ServerProcess process;
             if (!toServerProcess(v, process)) return false;
             o.servers.push_back(process);
             return true;
         }},
        {"--subscribers",
         [&](const std::string& v) {
             subscribersGiven = true;
             return subscribers(v);
         }},
        {"--channels", setSize(o.channels)},
        {"--channel-prefix", setText(o.channelPrefix)},
        {"--event-name", setText(o.eventName)},
        {"--rate", setNonNegative(o.rate)},
        {"--duration", setNonNegative(o.durationSeconds)},
        {"--drain", setNonNegative(o.drainSeconds)},
        {"--settle", setNonNegative(o.settleSeconds)},
        {"--hold", setNonNegative(o.holdSeconds)},
        {"--connect-timeout", setNonNegative(o.connectTimeoutSeconds)},
        {"--max-events", [&](const std::string& v) { return parseUnsigned(v, o.maxEvents); }},
        {"--publish-connections", setSize(o.publishConnections)},
        {"--batch", setSize(o.batch)},
        {"--connect-concurrency", setSize(o.connectConcurrency)},
        {"--source-addresses",
         [&](const std::string& v) {
             std::uint64_t n = 0;
             if (!parseUnsigned(v, n) || n > 250) return false;
             o.sourceAddresses = static_cast<unsigned>(n);
             return true;
         }},
        {"--param", addParam(o.extraParams)},
        {"--json", setText(o.jsonPath)},
        {"--summary", setText(o.summaryPath)},
        {"--connect-latencies", setText(o.connectLatenciesPath)},
    };

    if (!applyOptions(argc, argv, setters, {{"--require-lossless", [&] { o.requireLossless = true; }}},
                      benchUsage(), message)) {
        return false;
    }
    if (!subscribersGiven && o.mode == Mode::Publish) o.subscribers = 0;
    if (o.channels == 0 || o.publishConnections == 0 || o.connectConcurrency == 0) {
        message = "--channels, --publish-connections and --connect-concurrency must be > 0\n";
        return false;
    }
    // Pusher's batch_events takes at most 10 events. Fan-out accounts one event per request.
    if (o.batch == 0 || o.batch > 10 || (o.batch > 1 && o.mode != Mode::Publish)) {
        message = "--batch must be 1..10, and above 1 only with --mode publish\n";
        return false;
    }
    if (o.mode == Mode::Fanout && (o.rate <= 0 || o.subscribers == 0)) {
        message = "fanout needs --rate > 0 and --subscribers > 0\n";
        return false;
    }
    if (o.durationSeconds > 3600 || o.connectTimeoutSeconds > 3600 || o.holdSeconds > 3600) {
        message = "durations are capped at 3600 s\n";
        return false;
    }
    if (o.subscribers > 1'000'000) {
        message = "--subscribers is capped at 1000000\n";
        return false;
    }
    if (o.wsPorts.empty()) o.wsPorts.push_back(o.port);
    if (o.name.empty())
        o.name = o.mode == Mode::Connect ? "connect" : o.mode == Mode::Fanout ? "fanout" : "publish";
    return true;
}

}  // namespace resound::bench
