#include "httpserver/Accept.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <spdlog/spdlog.h>
#include <sys/epoll.h>

#include <cerrno>
#include <cstring>

namespace resound::httpserver {
namespace {
constexpr int kMaxAcceptsPerEvent = 256;
}

AcceptOutcome acceptPending(int listenFd,
                            const std::function<void(int fd, const sockaddr_storage& peer)>& onAccepted) {
    for (int i = 0; i < kMaxAcceptsPerEvent; ++i) {
        sockaddr_storage peer{};
        socklen_t peerLength = sizeof peer;
        const int fd = ::accept4(listenFd, reinterpret_cast<sockaddr*>(&peer), &peerLength,
                                 SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR || errno == ECONNABORTED) {
                return AcceptOutcome::Drained;
            }
            if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
                return AcceptOutcome::OutOfDescriptors;
            }
            spdlog::error("accept failed: {}", std::strerror(errno));
            return AcceptOutcome::Drained;
        }
        int one = 1;
        ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        onAccepted(fd, peer);
    }
    return AcceptOutcome::Drained;
}

std::uint32_t connectionPollEvents(bool readPaused, bool wantsWritable) {
    std::uint32_t events = readPaused ? 0 : EPOLLIN | EPOLLRDHUP;
    if (wantsWritable) events |= EPOLLOUT;
    return events;
}

std::string describeAddress(const sockaddr_storage& address) {
    char text[INET6_ADDRSTRLEN] = "";
    if (address.ss_family == AF_INET) {
        const auto& in = reinterpret_cast<const sockaddr_in&>(address);
        ::inet_ntop(AF_INET, &in.sin_addr, text, sizeof text);
        return std::string(text) + ":" + std::to_string(ntohs(in.sin_port));
    }
    if (address.ss_family == AF_INET6) {
        const auto& in6 = reinterpret_cast<const sockaddr_in6&>(address);
        ::inet_ntop(AF_INET6, &in6.sin6_addr, text, sizeof text);
        return "[" + std::string(text) + "]:" + std::to_string(ntohs(in6.sin6_port));
    }
    return "unknown";
}

}  // namespace resound::httpserver
