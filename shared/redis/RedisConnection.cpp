#include "redis/RedisConnection.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "redis/RespCommand.h"

namespace resound::redis {
namespace {

using Clock = RedisConnection::Clock;

int millisecondsLeft(Clock::time_point deadline) {
    const auto left = deadline - Clock::now();
    if (left <= Clock::duration::zero()) return 0;
    return static_cast<int>(std::chrono::ceil<std::chrono::milliseconds>(left).count());
}

// > 0 ready (or errored: the next syscall reports it), 0 deadline passed, < 0 poll failed.
int waitFor(int fd, short events, Clock::time_point deadline) {
    for (;;) {
        pollfd p{fd, events, 0};
        const int rc = ::poll(&p, 1, millisecondsLeft(deadline));
        if (rc < 0 && errno == EINTR) continue;
        return rc;
    }
}

std::string errnoText(const char* what) { return std::string(what) + ": " + std::strerror(errno); }

// Connects one address within the deadline; returns the fd or -1.
int connectTo(const SocketAddress& address, Clock::time_point deadline, std::string& error) {
    const int fd = ::socket(address.family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        error = errnoText("socket");
        return -1;
    }
    if (::connect(fd, address.get(), address.length) != 0) {
        if (errno != EINPROGRESS) {
            error = errnoText("connect");
            ::close(fd);
            return -1;
        }
        const int ready = waitFor(fd, POLLOUT, deadline);
        if (ready <= 0) {
            error = ready == 0 ? "connect timed out" : errnoText("poll");
            ::close(fd);
            return -1;
        }
        int soError = 0;
        socklen_t length = sizeof soError;
        if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &soError, &length) != 0 || soError != 0) {
            error = std::string("connect: ") + std::strerror(soError ? soError : errno);
            ::close(fd);
            return -1;
        }
    }
    address.tuneConnectedSocket(fd);
    return fd;
}

}  // namespace

RedisConnection::RedisConnection(int fd, const ConnectionOptions& options)
    : fd_(fd), ioTimeout_(options.ioTimeout), parser_(options.limits) {}

RedisConnection::~RedisConnection() { ::close(fd_); }

std::unique_ptr<RedisConnection> RedisConnection::open(const ConnectionOptions& options, std::string& error) {
    const auto deadline = Clock::now() + options.connectTimeout;
    const std::vector<SocketAddress> addresses =
        resolveAddresses(options, error);  // not bounded by our deadline
    int fd = -1;
    for (std::size_t i = 0; i < addresses.size() && fd < 0; ++i)
        fd = connectTo(addresses[i], deadline, error);
    if (fd < 0) return nullptr;

    std::unique_ptr<RedisConnection> connection(new RedisConnection(fd, options));
    std::string handshake;
    const std::size_t replies = options.appendHandshake(handshake);
    if (replies == 0) return connection;
    std::vector<RespValue> answers;
    if (!connection->roundTrip(handshake, replies, answers, error)) {
        error = "handshake: " + error;
        return nullptr;
    }
    for (std::size_t i = 0; i < answers.size(); ++i) {
        if (answers[i].isError()) {
            const bool auth = !options.password.empty() && i == 0;
            error = std::string(auth ? "AUTH" : "SELECT") + " refused: " + answers[i].text;
            return nullptr;
        }
    }
    return connection;
}

bool RedisConnection::writeAll(std::string_view data, Clock::time_point deadline, std::string& error) {
    while (!data.empty()) {
        const ssize_t sent = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
        if (sent > 0) {
            data.remove_prefix(static_cast<std::size_t>(sent));
            continue;
        }
        if (sent < 0 && errno == EINTR) continue;
        if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            const int ready = waitFor(fd_, POLLOUT, deadline);
            if (ready == 0) {
                error = "write timed out";
                return false;
            }
            if (ready < 0) {
                error = errnoText("poll");
                return false;
            }
            continue;
        }
        error = errnoText("send");
        return false;
    }
    return true;
}

bool RedisConnection::roundTrip(std::string_view request, std::size_t replyCount,
                                std::vector<RespValue>& replies, std::string& error) {
    return roundTrip(request, replyCount, replies, error, ioTimeout_);
}

bool RedisConnection::roundTrip(std::string_view request, std::size_t replyCount,
                                std::vector<RespValue>& replies, std::string& error,
                                std::chrono::milliseconds timeout) {
    replies.clear();
    if (parser_.failed() || !parser_.idle()) {
        error = "connection is out of step";
        return false;
    }
    const auto deadline = Clock::now() + timeout;
    if (!writeAll(request, deadline, error)) return false;
    char buffer[16 * 1024];
    while (replies.size() < replyCount) {
        const int ready = waitFor(fd_, POLLIN, deadline);
        if (ready == 0) {
            error = "reply timed out";
            return false;
        }
        if (ready < 0) {
            error = errnoText("poll");
            return false;
        }
        const ssize_t got = ::recv(fd_, buffer, sizeof buffer, 0);
        if (got == 0) {
            error = "closed by Redis";
            return false;
        }
        if (got < 0) {
            if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK) continue;
            error = errnoText("recv");
            return false;
        }
        if (!parser_.feed(buffer, static_cast<std::size_t>(got), replies)) {
            error = "protocol error: " + parser_.error();
            return false;
        }
    }
    if (replies.size() != replyCount || !parser_.idle()) {
        error = "unexpected extra data from Redis";
        return false;
    }
    return true;
}

bool RedisConnection::looksIdleAndAlive() const {
    pollfd p{fd_, POLLIN, 0};
    int rc;
    do {
        rc = ::poll(&p, 1, 0);
    } while (rc < 0 && errno == EINTR);
    // Anything readable on an idle connection is EOF, a reset or data nobody asked for.
    return rc == 0;
}

bool RedisConnection::hasScript(std::string_view sha1) const {
    return std::find(scripts_.begin(), scripts_.end(), sha1) != scripts_.end();
}

void RedisConnection::addScript(const std::string& sha1) {
    if (!hasScript(sha1)) scripts_.push_back(sha1);
}

long RedisConnection::sendSome(const char* data, std::size_t size) {
    for (;;) {
        const ssize_t sent = ::send(fd_, data, size, MSG_NOSIGNAL);
        if (sent >= 0) return static_cast<long>(sent);
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) return 0;
        return -1;
    }
}

long RedisConnection::receiveSome(char* data, std::size_t size) {
    for (;;) {
        const ssize_t got = ::recv(fd_, data, size, 0);
        if (got > 0) return static_cast<long>(got);
        if (got == 0) return -1;
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) return 0;
        return -1;
    }
}

}  // namespace resound::redis
