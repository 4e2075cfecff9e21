#pragma once
// Opens non-blocking TCP connections to the server, rotating over source addresses 127.0.0.2,
// 127.0.0.3, ... so that tens of thousands of connections to one server port do not exhaust the
// ephemeral ports of a single source address. Given several server ports (edges of one cluster), it
// rotates over them too, so consecutive connections land on different servers. One thread.
#include <netinet/in.h>

#include <cstdint>
#include <string>
#include <vector>

namespace resound::bench {

class TcpDialer {
  public:
    // `sourceAddresses` = 0 lets the kernel pick the source; otherwise 127.0.0.2 .. 127.0.0.(1+n).
    TcpDialer(const std::string& host, const std::vector<std::uint16_t>& ports, unsigned sourceAddresses);

    bool valid() const { return valid_; }
    // A socket whose connect() is in progress (or done); -1 with `error` set on failure.
    int dial(std::string& error);
    // getsockopt(SO_ERROR) after the socket became writable: 0 when connected.
    static int pendingError(int fd);

  private:
    std::vector<sockaddr_in> servers_;
    std::vector<in_addr> sources_;
    std::size_t next_ = 0;
    std::size_t nextServer_ = 0;
    bool valid_ = false;
};

}  // namespace resound::bench
