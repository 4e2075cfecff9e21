#include "redis/ConnectionOptions.h"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <cstddef>
#include <cstring>

#include "redis/RespCommand.h"

namespace resound::redis {

ConnectionOptions ConnectionOptions::fromConfig(const config::RedisConfig& redis) {
    ConnectionOptions options;
    options.host = redis.host;
    options.port = redis.port;
    options.password = redis.password;
    options.db = redis.db;
    return options;
}

std::string ConnectionOptions::describe() const { return config::describeRedisAddress(host, port, db); }

std::size_t ConnectionOptions::appendHandshake(std::string& out) const {
    std::size_t replies = 0;
    if (!password.empty()) {
        appendCommand(out, {"AUTH", password});
        ++replies;
    }
    if (db != 0) {
        appendCommand(out, {"SELECT", std::to_string(db)});
        ++replies;
    }
    return replies;
}

void SocketAddress::tuneConnectedSocket(int fd) const {
    if (family() != AF_INET && family() != AF_INET6) return;
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

std::vector<SocketAddress> resolveAddresses(const ConnectionOptions& options, std::string& error) {
    std::vector<SocketAddress> addresses;
    const std::string path = config::unixSocketPathOf(options.host);
    if (!path.empty()) {
        sockaddr_un local{};
        static_assert(sizeof local.sun_path == 108, "config's kMaxUnixSocketPath assumes Linux's 108 bytes");
        if (path.size() >= sizeof local.sun_path) {
            error = "Unix socket path too long: " + path;
            return addresses;
        }
        local.sun_family = AF_UNIX;
        std::memcpy(local.sun_path, path.data(), path.size());
        SocketAddress& address = addresses.emplace_back();
        std::memcpy(&address.storage, &local, sizeof local);
        address.length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + path.size() + 1);
        return addresses;
    }
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV;
    addrinfo* found = nullptr;
    const int rc = ::getaddrinfo(options.host.c_str(), std::to_string(options.port).c_str(), &hints, &found);
    if (rc != 0 || !found) {
        error = std::string("resolve ") + options.host + ": " + ::gai_strerror(rc);
        if (found) ::freeaddrinfo(found);
        return addresses;
    }
    for (const addrinfo* a = found; a; a = a->ai_next) {
        if (a->ai_addrlen > sizeof(sockaddr_storage)) continue;
        SocketAddress& address = addresses.emplace_back();
        std::memcpy(&address.storage, a->ai_addr, a->ai_addrlen);
        address.length = static_cast<socklen_t>(a->ai_addrlen);
    }
    ::freeaddrinfo(found);
    return addresses;
}

}  // namespace resound::redis
