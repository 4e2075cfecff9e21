// resound-floor: the kernel floor of fan-out on this machine (bench/README.md, "Kernel floor").
#include <csignal>
#include <fstream>
#include <iostream>

#include "BenchReport.h"
#include "FloorOptions.h"
#include "FloorRun.h"

int main(int argc, char** argv) {
    using namespace resound::bench;
    std::signal(SIGPIPE, SIG_IGN);
    FloorOptions options;
    std::string message;
    if (!parseFloorOptions(argc, argv, options, message)) {
        const bool help = message.rfind("usage:", 0) == 0;
        (help ? std::cout : std::cerr) << message;
        return help ? 0 : 2;
    }

    BenchReport report(options.name);
    try {
        FloorRun run(options);
        run.execute(report);
    } catch (const std::exception& e) {
        report.failure(std::string("resound-floor error: ") + e.what());
    }

    std::cout << report.table() << std::flush;
    if (!options.jsonPath.empty()) {
        std::ofstream out(options.jsonPath);
        out << report.json();
        if (!out) std::cerr << "cannot write " << options.jsonPath << "\n";
    }
    if (!options.summaryPath.empty()) {
        std::ofstream out(options.summaryPath, std::ios::app);
        out << report.summaryLine() << "\n";
    }
    return report.ok() ? 0 : 1;
}
