#pragma once
// Opens a non-blocking listening TCP socket with SO_REUSEPORT, so every event loop (the edge's I/O
// threads, the HttpServer's loops) can own one on the same port and the kernel spreads new
// connections between them. Start-up only.
#include <cstdint>
#include <string>

namespace resound::httpserver {

// Throws std::runtime_error naming host:port on failure. port 0 picks a free port.
int openListener(const std::string& host, std::uint16_t port);
std::uint16_t boundPort(int fd);

}  // namespace resound::httpserver
