#pragma once
// Where and how to reach Redis, with the time bounds every connection in this module obeys.
// Plain data, built once from config::RedisConfig.
#include <sys/socket.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "config/Config.h"
#include "redis/ReconnectBackoff.h"
#include "redis/RespParser.h"

namespace resound::redis {

struct ConnectionOptions {
    std::string host = "127.0.0.1";  // or a Unix socket path: config::unixSocketPathOf
    std::uint16_t port = 6379;       // ignored for a Unix socket
    std::string password;            // AUTH on connect when not empty (never logged)
    int db = 0;                      // SELECT on connect when not 0
    // A hung Redis (e.g. SIGSTOPped) still completes TCP handshakes, so the I/O timeout is what bounds
    // a call: connect + handshake <= connectTimeout + ioTimeout, a command <= ioTimeout.
    std::chrono::milliseconds connectTimeout{500};
    std::chrono::milliseconds ioTimeout{500};
    // Calls from event-loop threads (CommandClient::markEventLoopThread) connect, authenticate and wait
    // for replies at most this long, so a Redis that hangs costs a loop one bounded stall (the call in
    // flight when it hung), not the 500 ms above. Loopback and LAN answers take well under 1 ms.
    std::chrono::milliseconds loopIoTimeout{100};
    // Reconnect attempts after a failed one: redis::ReconnectBackoff with these bounds.
    std::chrono::milliseconds backoffInitial = BackoffPolicy{}.initial;
    std::chrono::milliseconds backoffMax = BackoffPolicy{}.max;
    BackoffPolicy backoff() const { return {backoffInitial, backoffMax}; }
    std::size_t maxIdleConnections = 32;  // CommandClient pool; more are closed on release
    RespLimits limits;

    static ConnectionOptions fromConfig(const config::RedisConfig& redis);
    std::string describe() const;  // config::describeRedisAddress, for logs (no password)
    // What every new connection sends first, as RESP appended to `out`: AUTH when a password is
    // set, SELECT when db is not 0. Returns how many replies that asks for (0: nothing appended).
    std::size_t appendHandshake(std::string& out) const;
};

// One address to connect() to: an IPv4/IPv6 address and port, or a Unix-domain socket path.
struct SocketAddress {
    sockaddr_storage storage{};
    socklen_t length = 0;

    int family() const { return storage.ss_family; }
    const sockaddr* get() const { return reinterpret_cast<const sockaddr*>(&storage); }
    // TCP_NODELAY where it means something (TCP); our commands are whole when written.
    void tuneConnectedSocket(int fd) const;
};

// Where Redis is: the Unix socket (one address) or the TCP addresses of host:port in getaddrinfo's
// order. Empty with `error` set when the name does not resolve. Not bounded by any deadline:
// configure an address, a socket path or a name /etc/hosts knows.
std::vector<SocketAddress> resolveAddresses(const ConnectionOptions& options, std::string& error);

}  // namespace resound::redis
