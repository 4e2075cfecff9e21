// resound-floor: the kernel floor of fan-out on this machine (bench/README.md, "Kernel floor").
#include <csignal>

#include "BenchReport.h"
#include "CommandLine.h"
#include "FloorOptions.h"
#include "FloorRun.h"

int main(int argc, char** argv) {
    using namespace resound::bench;
    std::signal(SIGPIPE, SIG_IGN);
    FloorOptions options;
    std::string message;
    if (!parseFloorOptions(argc, argv, options, message)) {
        return reportUsageProblem(message);
    }

    BenchReport report(options.name);
    try {
        FloorRun run(options);
        run.execute(report);
    } catch (const std::exception& e) {
        report.failure(std::string("resound-floor error: ") + e.what());
    }

    return finishRun(report, options.jsonPath, options.summaryPath);
}
