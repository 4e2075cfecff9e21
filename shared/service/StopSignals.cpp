#include "service/StopSignals.h"

#include <pthread.h>
#include <signal.h>

#include <cerrno>
#include <ctime>

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

void logIgnoredHangup() {
    spdlog::warn("SIGHUP: configuration reload is not supported; restart to apply changes");
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
        logIgnoredHangup();
    }
}

std::optional<int> StopSignals::waitFor(std::chrono::milliseconds timeout) {
    const sigset_t signals = stopSignalSet();
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        const auto left = deadline - std::chrono::steady_clock::now();
        if (left <= std::chrono::steady_clock::duration::zero()) return std::nullopt;
        const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(left);
        const auto nanoseconds = std::chrono::duration_cast<std::chrono::nanoseconds>(left - seconds);
        const timespec wait{static_cast<time_t>(seconds.count()), static_cast<long>(nanoseconds.count())};
        const int signal = sigtimedwait(&signals, nullptr, &wait);
        if (signal == -1) {
            if (errno == EAGAIN) return std::nullopt;
            continue;  // EINTR: some other signal's handler ran; the deadline still holds
        }
        if (signal != SIGHUP) return signal;
        logIgnoredHangup();
    }
}

int StopSignals::waitThenLameDuck(std::chrono::milliseconds delay,
                                  const std::function<void()>& enterLameDuck) {
    const int signal = wait();
    if (signal != SIGTERM || delay <= std::chrono::milliseconds::zero()) return signal;
    enterLameDuck();
    spdlog::info("SIGTERM: /ready answers 503; still serving for {} ms so the proxy stops routing here first",
                 delay.count());
    if (const auto second = waitFor(delay)) {
        spdlog::info("signal {} during the shutdown delay: stopping now", *second);
    }
    return signal;
}

}  // namespace resound::service
