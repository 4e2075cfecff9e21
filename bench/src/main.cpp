// resound-bench: the load generator for Resound's benchmark scenarios (see bench/README.md).
#include <csignal>

#include "BenchOptions.h"
#include "BenchReport.h"
#include "CommandLine.h"
#include "LoadRun.h"
#include "PublishRequest.h"
#include "WsClientHandshake.h"

int main(int argc, char** argv) {
    using namespace resound::bench;
    std::signal(SIGPIPE, SIG_IGN);
    BenchOptions options;
    std::string message;
    if (!parseBenchOptions(argc, argv, options, message)) {
        return reportUsageProblem(message);
    }

    // OpenSSL loads its providers on first use (tens of milliseconds): do it now, not inside the
    // first measured handshake or publish.
    (void)expectedAcceptFor(makeWebSocketKey(1, 2));
    (void)buildPublishRequest(PublishTarget{"warm-up", "id", "key", "secret"}, "body", 0);

    BenchReport report(options.name);
    try {
        LoadRun run(options);
        run.execute(report);
    } catch (const std::exception& e) {
        report.failure(std::string("load generator error: ") + e.what());
    }

    return finishRun(report, options.jsonPath, options.summaryPath);
}
