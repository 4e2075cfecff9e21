#pragma once
// Where and how to reach Redis, with the time bounds every connection in this module obeys.
// Plain data, built once from config::RedisConfig.
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "config/Config.h"
#include "redis/ReconnectBackoff.h"
#include "redis/RespParser.h"

struct addrinfo;

namespace resound::redis {

struct ConnectionOptions {
    std::string host = "127.0.0.1";
    std::uint16_t port = 6379;
    std::string password;  // AUTH on connect when not empty (never logged)
    int db = 0;            // SELECT on connect when not 0
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
    std::string describe() const;  // "host:port/db" for logs (no password)
    // What every new connection sends first, as RESP appended to `out`: AUTH when a password is
    // set, SELECT when db is not 0. Returns how many replies that asks for (0: nothing appended).
    std::size_t appendHandshake(std::string& out) const;
};

struct AddressListDeleter {
    void operator()(addrinfo* list) const;
};
using AddressList = std::unique_ptr<addrinfo, AddressListDeleter>;
// The TCP addresses of host:port, in getaddrinfo's order; null with `error` set when the name does not
// resolve. Not bounded by any deadline: configure an address or a name /etc/hosts knows.
AddressList resolveAddresses(const ConnectionOptions& options, std::string& error);

}  // namespace resound::redis
