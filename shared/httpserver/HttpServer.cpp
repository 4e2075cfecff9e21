#include "httpserver/HttpServer.h"

#include <unistd.h>

#include <algorithm>
#include <thread>

#include "http/ErrorBody.h"
#include "httpserver/Listener.h"
#include "httpserver/ServerLoop.h"

namespace resound::httpserver {
namespace {
Reply defaultErrorReply(int status, std::string_view reason) {
    Reply reply;
    reply.status = status;
    reply.body = http::requestRefusalBody(status, reason);
    return reply;
}
}  // namespace

std::shared_ptr<ResponseStream> Exchange::openStream(int status, std::string contentType,
                                                     HeaderList headers) {
    if (!stream_) stream_ = loop_.openStream(connection_, status, std::move(contentType), std::move(headers));
    return stream_;
}

HttpServer::HttpServer(Options options, Handler handler)
    : options_(std::move(options)), handler_(std::move(handler)) {
    if (!options_.errorReply) options_.errorReply = defaultErrorReply;
}

HttpServer::~HttpServer() { stop(std::chrono::milliseconds(0)); }

void HttpServer::start() {
    const unsigned count =
        options_.loops != 0 ? options_.loops : std::max(1u, std::thread::hardware_concurrency());
    std::uint16_t port = options_.port;
    std::vector<int> fds;
    try {
        for (unsigned i = 0; i < count && options_.listen; ++i) {
            const int fd = openListener(options_.host, port);
            fds.push_back(fd);
            if (i == 0) port = boundPort(fd);
        }
    } catch (...) {
        for (int fd : fds) ::close(fd);
        throw;
    }
    port_ = options_.listen ? port : 0;
    for (unsigned i = 0; i < count; ++i) {
        const int fd = options_.listen ? fds[i] : -1;
        loops_.push_back(std::make_unique<ServerLoop>(options_, handler_, fd, i, totalConnections_));
    }
    for (auto& loop : loops_) loop->start();
}

std::uint16_t HttpServer::port() const { return port_; }

std::uint64_t HttpServer::registrationFailures() const {
    std::uint64_t total = registrationFailuresOfStoppedLoops_;
    for (const auto& loop : loops_) total += loop->registrationFailures();
    return total;
}

void HttpServer::adopt(int fd, std::string remote, std::string alreadyRead) {
    if (loops_.empty() || totalConnections_.load(std::memory_order_relaxed) >= options_.maxConnections) {
        refuseConnection(fd, options_.errorReply(503, loops_.empty() ? "Server is stopping"
                                                                     : "Server is at its connection limit"));
        return;
    }
    totalConnections_.fetch_add(1, std::memory_order_relaxed);
    ServerLoop& loop = *loops_[nextLoop_.fetch_add(1, std::memory_order_relaxed) % loops_.size()];
    auto bytes = std::make_shared<std::string>(std::move(alreadyRead));
    auto address = std::make_shared<std::string>(std::move(remote));
    if (!loop.post([&loop, fd, bytes, address] { loop.adopt(fd, std::move(*address), std::move(*bytes)); })) {
        totalConnections_.fetch_sub(1, std::memory_order_relaxed);
        refuseConnection(fd, options_.errorReply(503, "Server is stopping"));
    }
}

void HttpServer::stop(std::chrono::milliseconds grace) {
    if (loops_.empty()) return;
    for (auto& loop : loops_) loop->beginStop();
    const auto deadline = std::chrono::steady_clock::now() + grace;
    while (connectionCount() > 0 && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    for (auto& loop : loops_) loop->stop();
    registrationFailuresOfStoppedLoops_ = registrationFailures();
    loops_.clear();  // closes what remains
}

}  // namespace resound::httpserver
