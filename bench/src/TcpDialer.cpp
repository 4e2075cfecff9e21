#include "TcpDialer.h"

#include <arpa/inet.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace resound::bench {

TcpDialer::TcpDialer(const std::string& host, const std::vector<std::uint16_t>& ports,
                     unsigned sourceAddresses) {
    in_addr address{};
    valid_ = inet_pton(AF_INET, host.c_str(), &address) == 1 && !ports.empty();
    for (const std::uint16_t port : ports) {
        sockaddr_in server{};
        server.sin_family = AF_INET;
        server.sin_port = htons(port);
        server.sin_addr = address;
        servers_.push_back(server);
    }
    for (unsigned i = 0; i < sourceAddresses && i < 250; ++i) {
        in_addr source{};
        source.s_addr = htonl((127u << 24) | (2u + i));
        sources_.push_back(source);
    }
}

int TcpDialer::dial(std::string& error) {
    // Chosen first, so that a failed dial still moves on: the n-th call always targets port n mod k.
    const sockaddr_in& server = servers_[nextServer_++ % servers_.size()];
    const int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        error = std::string("socket: ") + std::strerror(errno);
        return -1;
    }
    const int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (!sources_.empty()) {
        // Defer the port choice to connect(), so each source address has the full port range per
        // destination instead of one global range (Linux >= 4.2).
        setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
        sockaddr_in local{};
        local.sin_family = AF_INET;
        local.sin_addr = sources_[next_++ % sources_.size()];
        if (bind(fd, reinterpret_cast<sockaddr*>(&local), sizeof local) != 0) {
            error = std::string("bind: ") + std::strerror(errno);
            close(fd);
            return -1;
        }
    }
    if (connect(fd, reinterpret_cast<const sockaddr*>(&server), sizeof server) != 0 && errno != EINPROGRESS) {
        error = std::string("connect: ") + std::strerror(errno);
        close(fd);
        return -1;
    }
    return fd;
}

int TcpDialer::pendingError(int fd) {
    int value = 0;
    socklen_t length = sizeof value;
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &value, &length) != 0) return errno;
    return value;
}

}  // namespace resound::bench
