#pragma once
// Accepting on a non-blocking listening socket from an event loop, the same way on every loop (the
// edge's I/O threads, the HttpServer's loops): up to 256 connections per readiness event, non-blocking
// and close-on-exec, TCP_NODELAY; transient errors end the batch; running out of file descriptors (or
// kernel memory) is reported so the caller stops listening until its next sweep, since level-triggered
// epoll would otherwise spin on the pending connection. Loop thread only.
#include <sys/socket.h>

#include <cstdint>
#include <functional>
#include <string>

namespace resound::httpserver {

enum class AcceptOutcome {
    Drained,           // nothing more pending (or a transient error): wait for the next event
    OutOfDescriptors,  // EMFILE/ENFILE/ENOBUFS/ENOMEM: remove the listener from the loop for a while
};

// Calls onAccepted(fd, peer address) for each accepted connection; the callee owns the fd.
AcceptOutcome acceptPending(int listenFd,
                            const std::function<void(int fd, const sockaddr_storage& peer)>& onAccepted);

// "ip:port" ("[ip6]:port" for IPv6) of a peer address, for logs; "unknown" for other families.
std::string describeAddress(const sockaddr_storage& address);

// The epoll events of an HTTP connection: input unless reading is paused (EPOLLRDHUP goes too, or a
// peer's FIN would wake a level-triggered loop for nothing on every iteration), output while the
// socket buffer is full. EPOLLHUP and EPOLLERR are always reported.
std::uint32_t connectionPollEvents(bool readPaused, bool wantsWritable);

}  // namespace resound::httpserver
