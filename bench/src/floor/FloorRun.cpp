#include "FloorRun.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "Clock.h"
#include "CommandLine.h"
#include "FloorProcess.h"
#include "FloorReceiver.h"

namespace resound::bench {
namespace {

// Set-up (connect, accept, hello) of N loopback connections: generous, but bounded.
std::int64_t setupBudgetNs(std::uint64_t connections) {
    return 20 * kNsPerSecond + static_cast<std::int64_t>(connections) * 2 * kNsPerMs;
}

constexpr std::int64_t kSettleNs = 200 * kNsPerMs;  // between set-up and the window
constexpr std::int64_t kGoLeadNs = 20 * kNsPerMs;   // Go is sent this long before the window starts
constexpr std::int64_t kResultGraceNs = 10 * kNsPerSecond;

}  // namespace

FloorRun::FloorRun(const FloorOptions& options)
    : options_(options),
      schedule_(options.rate, static_cast<std::int64_t>(options.durationSeconds * 1e9), options.subscribers,
                options.channels),
      layout_(options.payloadBytes) {}

FloorRun::~FloorRun() {
    if (receiverPid_ > 0) reapReceiver(0);
    if (controlFd_ >= 0) ::close(controlFd_);
    if (listenFd_ >= 0) ::close(listenFd_);
}

bool FloorRun::checkResources(BenchReport& report) {
    const std::size_t limit = raiseFileLimit();
    const std::size_t needed = options_.subscribers + 16;
    if (needed > limit) {
        report.failure("need " + std::to_string(needed) +
                       " file descriptors per process but RLIMIT_NOFILE is " + std::to_string(limit));
        return false;
    }
    listenFd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (listenFd_ < 0 || ::bind(listenFd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        ::listen(listenFd_, SOMAXCONN) != 0 ||
        ::getsockname(listenFd_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
        report.failure(std::string("cannot listen on 127.0.0.1: ") + std::strerror(errno));
        return false;
    }
    port_ = ntohs(address.sin_port);
    return true;
}

bool FloorRun::startReceiver(BenchReport& report) {
    int pair[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0) {
        report.failure(std::string("socketpair: ") + std::strerror(errno));
        return false;
    }
    const pid_t parent = ::getpid();
    const pid_t pid = ::fork();
    if (pid < 0) {
        ::close(pair[0]);
        ::close(pair[1]);
        report.failure(std::string("fork: ") + std::strerror(errno));
        return false;
    }
    if (pid == 0) {
        // The receiver: holds only its own ends. It dies with the sender, so nothing outlives the run.
        int status = 3;
        try {
            ::prctl(PR_SET_PDEATHSIG, SIGKILL);
            if (::getppid() == parent) {
                ::close(listenFd_);
                ::close(pair[0]);
                status = runFloorReceiver(options_, schedule_, layout_, port_, pair[1]);
            }
        } catch (...) {
            status = 3;
        }
        ::_exit(status);  // no destructors or atexit handlers of the parent's objects
    }
    ::close(pair[1]);
    controlFd_ = pair[0];
    receiverPid_ = pid;
    return true;
}

void FloorRun::reapReceiver(std::int64_t graceNs) {
    const std::int64_t deadline = monotonicNs() + graceNs;
    for (;;) {
        int status = 0;
        const pid_t done = ::waitpid(receiverPid_, &status, WNOHANG);
        if (done == receiverPid_ || (done < 0 && errno != EINTR)) {
            receiverStatus_ = done == receiverPid_ ? status : -1;
            receiverPid_ = -1;
            return;
        }
        if (monotonicNs() >= deadline) break;
        ::usleep(10'000);
    }
    ::kill(receiverPid_, SIGKILL);  // our own child only
    int status = 0;
    while (::waitpid(receiverPid_, &status, 0) < 0 && errno == EINTR) {
    }
    receiverStatus_ = status;
    receiverPid_ = -1;
}

void FloorRun::execute(BenchReport& report) {
    recordParams(report);
    if (!checkResources(report) || !startReceiver(report)) return;

    std::string error;
    if (!pinToCpu(options_.senderCpu, error)) {
        report.failure(error);
        return;
    }
    FloorSender sender(options_, schedule_, layout_, listenFd_, controlFd_);
    const std::int64_t setupStart = monotonicNs();
    if (!sender.acceptAll(setupStart + setupBudgetNs(options_.subscribers), error)) {
        report.failure(error);
        return;
    }
    ::close(listenFd_);
    listenFd_ = -1;
    const double setupS = static_cast<double>(monotonicNs() - setupStart) / 1e9;
    report.metric("setup_s", "set-up (connect, accept, hello)", setupS, "s", 2);

    // A short pause so the set-up's work (softirqs, the receiver's last registrations) is over.
    ::usleep(static_cast<useconds_t>(kSettleNs / 1000));
    FloorMessage go;
    go.kind = FloorMessageKind::Go;
    go.first = monotonicNs() + kGoLeadNs;
    if (!sendFloorMessage(controlFd_, go)) {
        report.failure("the receiver exited before the window");
        return;
    }
    SenderResult result;
    sender.run(go.first, result);

    FloorMessage done;
    done.kind = FloorMessageKind::Done;
    done.first = static_cast<std::int64_t>(result.eventsSent);
    done.second = result.endNs;
    std::optional<ReceiverResult> received;
    FloorMessage answer;
    if (!result.receiverGone && sendFloorMessage(controlFd_, done) &&
        receiveFloorMessage(
            controlFd_, answer,
            monotonicNs() + static_cast<std::int64_t>(options_.drainSeconds * 1e9) + kResultGraceNs) &&
        answer.kind == FloorMessageKind::Result) {
        received = answer.result;
    }
    reapReceiver(kResultGraceNs);
    if (!received) {
        report.failure("the receiver sent no result (exit status " + std::to_string(receiverStatus_) + ")");
    }
    reportRun(report, result, received);
}

}  // namespace resound::bench
