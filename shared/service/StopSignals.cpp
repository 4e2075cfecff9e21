#include "service/StopSignals.h"

#include <pthread.h>
#include <signal.h>

#include <spdlog/spdlog.h>

namespace resound::service {
namespace {

sigset_t stopSignalSet() {
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGHUP);
    return signals;
}

}  // namespace

StopSignals::StopSignals() {
    const sigset_t signals = stopSignalSet();
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);
    ::signal(SIGPIPE, SIG_IGN);
}

int StopSignals::wait() {
    const sigset_t signals = stopSignalSet();
    for (;;) {
        int signal = 0;
        if (sigwait(&signals, &signal) != 0) continue;
        if (signal != SIGHUP) return signal;
        spdlog::warn("SIGHUP: configuration reload is not supported; restart to apply changes");
    }
}

}  // namespace resound::service
