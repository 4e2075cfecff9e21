#include "httpserver/ServerLoop.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <stdexcept>

#include "http/Response.h"
#include "httpserver/Accept.h"

namespace resound::httpserver {
namespace {
constexpr std::size_t kReadBufferSize = 64 * 1024;
constexpr int kMaxReadsPerEvent = 4;        // fairness between busy connections
constexpr std::uint32_t kCloseSeconds = 3;  // how long a closing connection may take to go away

WriteQueue::Bytes shared(std::string bytes) { return std::make_shared<const std::string>(std::move(bytes)); }

std::string httpDate() {
    char text[64];
    const std::time_t now = std::time(nullptr);
    std::tm utc{};
    ::gmtime_r(&now, &utc);
    const std::size_t n = std::strftime(text, sizeof text, "%a, %d %b %Y %H:%M:%S GMT", &utc);
    return std::string(text, n);
}
}  // namespace

class ServerLoop::Acceptor final : public loop::IoHandler {
  public:
    explicit Acceptor(ServerLoop& owner) : owner_(owner) {}
    void onIoEvent(std::uint32_t) override { owner_.acceptAll(); }

  private:
    ServerLoop& owner_;
};

void ServerConnection::onIoEvent(std::uint32_t events) { owner.onConnectionEvent(*this, events); }

ServerLoop::ServerLoop(const HttpServer::Options& options, const Handler& handler, int listenFd,
                       std::size_t index, std::atomic<std::size_t>& totalConnections)
    : options_(options),
      handler_(handler),
      listenFd_(listenFd),
      index_(index),
      totalConnections_(totalConnections),
      gate_(std::make_shared<LoopGate>(this)),
      acceptor_(std::make_unique<Acceptor>(*this)),
      readBuffer_(kReadBufferSize),
      date_(httpDate()),
      startedAt_(std::chrono::steady_clock::now()) {
    if (listenFd_ >= 0) {  // -1: connections come through adopt() only
        if (!loop_.add(listenFd_, EPOLLIN, acceptor_.get())) {
            throw std::runtime_error(std::string("http server loop cannot watch its listener: ") +
                                     std::strerror(errno));
        }
        listening_ = true;
    }
    loop_.setAfterEventsHook([this] { afterEvents(); });
    loop_.setTickHook(std::chrono::milliseconds(1000), [this] { tick(); });
}

ServerLoop::~ServerLoop() {
    stop();
    gate_->cut();
    while (!connections_.empty()) teardown(*connections_.back());
    graveyard_.clear();
    if (listening_) ::close(listenFd_);
}

void ServerLoop::start() {
    thread_ = std::thread([this] {
        try {
            loop_.run();
        } catch (const std::exception& e) {
            spdlog::critical("http server loop {} stopped: {}", index_, e.what());
            std::abort();  // a dead loop would silently strand its connections; fail loudly instead
        }
    });
}

void ServerLoop::stop() {
    if (!thread_.joinable()) return;
    gate_->cut();  // pushes from other threads stop here; tasks already posted still run
    loop_.stop();
    thread_.join();
}

void ServerLoop::beginStop() {
    post([this] {
        draining_ = true;
        if (listening_) {
            loop_.remove(listenFd_);
            ::close(listenFd_);
            listening_ = false;
        }
        // Streams end (their clients reconnect elsewhere); idle keep-alive connections would only hold
        // the drain open; a request in progress still gets its answer, with Connection: close.
        for (auto& c : connections_) {
            if (c->stream) finishStream(*c);
        }
        closeIdle();
    });
}

void ServerLoop::closeIdle() {
    for (std::size_t i = 0; i < connections_.size();) {
        ServerConnection& c = *connections_[i];
        if (!c.stream && !c.intake.midRequest() && c.out.empty() && !c.closing) {
            teardown(c);  // swaps the last connection into slot i
            continue;
        }
        ++i;
    }
}

std::uint32_t ServerLoop::secondsNow() const {
    const auto elapsed = std::chrono::steady_clock::now() - startedAt_;
    return 1 + static_cast<std::uint32_t>(std::chrono::duration_cast<std::chrono::seconds>(elapsed).count());
}

void refuseConnection(int fd, const Reply& reply) {
    const std::string bytes =
        http::buildResponse(reply.status, reply.contentType, reply.body, false, reply.headers);
    [[maybe_unused]] auto n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    ::close(fd);
}

void ServerLoop::adopt(int fd, std::string remote, std::string alreadyRead) {
    if (draining_) {
        totalConnections_.fetch_sub(1, std::memory_order_relaxed);
        refuseConnection(fd, options_.errorReply(503, "Server is stopping"));
        return;
    }
    auto owned = std::make_unique<ServerConnection>(*this, fd, now_);
    ServerConnection& c = *owned;
    c.remote = std::move(remote);
    c.index = static_cast<std::uint32_t>(connections_.size());
    connections_.push_back(std::move(owned));
    if (!loop_.add(fd, c.pollEvents, &c)) {
        registrationFailed(c, "add");
        return;
    }
    // As if these bytes had just been read here; more follow through epoll.
    if (!alreadyRead.empty()) handleBytes(c, alreadyRead.data(), alreadyRead.size());
}

void ServerLoop::acceptAll() {
    const auto outcome = acceptPending(listenFd_, [this](int fd, const sockaddr_storage& peer) {
        if (totalConnections_.load(std::memory_order_relaxed) >= options_.maxConnections) {
            refuseConnection(fd, options_.errorReply(503, "Server is at its connection limit"));
            return;
        }
        totalConnections_.fetch_add(1, std::memory_order_relaxed);
        auto c = std::make_unique<ServerConnection>(*this, fd, now_);
        c->remote = describeAddress(peer);
        c->index = static_cast<std::uint32_t>(connections_.size());
        connections_.push_back(std::move(c));
        ServerConnection& added = *connections_.back();
        if (!loop_.add(fd, added.pollEvents, &added)) registrationFailed(added, "add");
    });
    if (outcome == AcceptOutcome::OutOfDescriptors) {
        spdlog::warn("http server: accept paused on loop {}: {}", index_, std::strerror(errno));
        loop_.remove(listenFd_);
        acceptPaused_ = true;  // listening resumes on the next tick
    }
}

void ServerLoop::onConnectionEvent(ServerConnection& c, std::uint32_t events) {
    if (c.closed) return;
    if (events & (EPOLLERR | EPOLLHUP)) {
        teardown(c);
        return;
    }
    if (events & EPOLLOUT) flush(c);
    if (!c.closed && (events & (EPOLLIN | EPOLLRDHUP))) readFrom(c);
}

void ServerLoop::readFrom(ServerConnection& c) {
    for (int i = 0; i < kMaxReadsPerEvent && !c.closed && !c.readPaused; ++i) {
        const ssize_t n = ::recv(c.fd, readBuffer_.data(), readBuffer_.size(), 0);
        if (n == 0) {
            teardown(c);
            return;
        }
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK) return;
            if (errno == EINTR) continue;
            teardown(c);
            return;
        }
        // A closing connection is read only to see the peer's EOF.
        if (!c.closing) {
            c.lastBytesAt = now_;
            handleBytes(c, readBuffer_.data(), static_cast<std::size_t>(n));
        }
        if (static_cast<std::size_t>(n) < readBuffer_.size()) return;
    }
}

void ServerLoop::handleBytes(ServerConnection& c, const char* data, std::size_t length) {
    while (length > 0 && !c.closed && !c.closing) {
        if (c.stream) {
            // The next request waits for the stream's end (responses go out in request order).
            if (!keepUnparsed(c, data, length)) teardown(c);
            return;
        }
        std::size_t consumed = 0;
        const auto step = c.intake.feed(data, length, consumed, now_, options_.limits);
        data += consumed;
        length -= consumed;
        if (step == RequestIntake::Step::NeedMore) {
            if (c.intake.takeContinue()) enqueue(c, shared(std::string(RequestIntake::kContinueResponse)));
            return;
        }
        if (step == RequestIntake::Step::Error) {
            respond(c, options_.errorReply(c.intake.errorStatus(), c.intake.errorReason()), false, false);
            return;
        }
        const http::Request& request = c.intake.request();
        const bool keepAlive = options_.keepAlive && request.keepAlive() && !draining_;
        const bool headOnly = request.method == "HEAD";
        const bool chunkedStream = request.versionMinor >= 1;
        Exchange exchange(request, c.remote, *this, c);
        Reply reply;
        try {
            reply = handler_(exchange);
        } catch (const std::exception& e) {
            spdlog::error("http handler failed: method={} path={} error={}", request.method, request.path,
                          e.what());
            reply = options_.errorReply(500, "internal error");
        }
        if (exchange.stream()) {
            c.streamKeepAlive = keepAlive && chunkedStream;
            c.intake.next();
            if (length > 0 && !keepUnparsed(c, data, length)) teardown(c);
            return;
        }
        respond(c, reply, keepAlive, headOnly);
        if (!keepAlive) return;
        c.intake.next();
        if (c.out.bytes() >= options_.maxQueuedBytes) {
            // A pipelining client that does not read its answers: stop taking requests until they
            // drain (as nginx does), so its unsent output stays near the cap instead of growing.
            pauseReading(c, data, length);
            return;
        }
    }
}

bool ServerLoop::keepUnparsed(ServerConnection& c, const char* data, std::size_t length) {
    const std::size_t cap = options_.limits.maxHeaderBytes + options_.limits.maxBodyBytes;
    if (c.unparsedInput.size() + length > cap) return false;
    c.unparsedInput.append(data, length);
    return true;
}

HeaderList ServerLoop::withServerHeaders(const HeaderList& headers) const {
    HeaderList all;
    all.reserve(headers.size() + 2);
    all = headers;
    if (!options_.serverName.empty()) all.emplace_back("Server", options_.serverName);
    all.emplace_back("Date", date_);
    return all;
}

void ServerLoop::respond(ServerConnection& c, const Reply& reply, bool keepAlive, bool headOnly) {
    // A 204 carries no body and so no Content-Type, as Poco's HTTPServer did for the same handlers.
    const std::string_view contentType =
        reply.body.empty() && reply.status == 204 ? std::string_view() : std::string_view(reply.contentType);
    std::string bytes = http::buildResponse(reply.status, contentType, reply.body, keepAlive,
                                            withServerHeaders(reply.headers));
    if (headOnly) bytes.resize(bytes.size() - reply.body.size());  // same headers, Content-Length included
    enqueue(c, shared(std::move(bytes)));
    if (!keepAlive) closeAfterFlush(c);
}

void ServerLoop::closeAfterFlush(ServerConnection& c) {
    c.closing = true;
    c.closeWhenFlushed = true;
    c.lastBytesAt = now_;
    c.intake.release();
    c.unparsedInput.clear();
    if (c.out.empty()) enqueue(c, nullptr);  // nothing left to write: the flush half-closes
}

std::shared_ptr<ResponseStream> ServerLoop::openStream(ServerConnection& c, int status,
                                                       std::string contentType, HeaderList headers) {
    const http::Request& request = c.intake.request();
    const bool chunked = request.versionMinor >= 1;
    const bool keepAlive = chunked && options_.keepAlive && request.keepAlive() && !draining_;
    enqueue(c, shared(http::buildStreamHead(status, contentType, chunked, keepAlive,
                                            withServerHeaders(headers))));
    c.stream = std::make_shared<ResponseStream>(gate_, &c, chunked);
    if (draining_) finishStream(c);
    return c.stream;
}

void ServerLoop::streamChunk(ResponseStream& stream, const WriteQueue::Bytes& bytes) {
    ServerConnection* c = stream.connection_;
    if (!c) return;
    if (c->out.bytes() + bytes->size() > options_.maxQueuedBytes) {
        spdlog::warn("http stream closed: client not reading remote={} queued_bytes={}", c->remote,
                     c->out.bytes());
        teardown(*c);
        return;
    }
    enqueue(*c, bytes);
}

void ServerLoop::streamEnd(ResponseStream& stream) {
    if (stream.connection_) finishStream(*stream.connection_);
}

void ServerLoop::finishStream(ServerConnection& c) {
    std::shared_ptr<ResponseStream> stream = std::move(c.stream);
    if (!stream) return;
    if (stream->chunked_) enqueue(c, shared(http::encodeChunk({})));
    stream->closedOnLoop();
    if (!c.streamKeepAlive || draining_) {
        closeAfterFlush(c);
        return;
    }
    c.lastBytesAt = now_;  // the idle deadline starts now
    if (!c.unparsedInput.empty()) {
        std::string input;
        input.swap(c.unparsedInput);
        handleBytes(c, input.data(), input.size());
    }
}

void ServerLoop::enqueue(ServerConnection& c, WriteQueue::Bytes bytes) {
    if (bytes) c.out.push(std::move(bytes));
    if (c.wantsWritable || c.flushListed) return;  // EPOLLOUT or this iteration's flush will write it
    c.flushListed = true;
    toFlush_.push_back(&c);
}

void ServerLoop::flush(ServerConnection& c) {
    std::size_t written = 0;
    const auto result = c.out.writeTo(c.fd, written);
    if (result == WriteQueue::Result::Failed) {
        teardown(c);
        return;
    }
    if (result == WriteQueue::Result::Blocked) {
        c.wantsWritable = true;
        updatePollEvents(c);
        return;
    }
    c.wantsWritable = false;
    if (c.readPaused) {
        resumeReading(c);  // its answers are queued and flushed like any others
        return;
    }
    updatePollEvents(c);
    if (c.closed) return;
    if (c.closeWhenFlushed) {
        // Half-close and wait for the peer's EOF, so unread input cannot turn our close into a reset
        // that destroys the response we just sent.
        c.closeWhenFlushed = false;
        ::shutdown(c.fd, SHUT_WR);
        c.lastBytesAt = now_;
    }
}

void ServerLoop::pauseReading(ServerConnection& c, const char* unparsed, std::size_t length) {
    c.readPaused = true;
    c.unparsedInput.assign(unparsed, length);
    updatePollEvents(c);
}

void ServerLoop::resumeReading(ServerConnection& c) {
    c.readPaused = false;
    std::string input;
    input.swap(c.unparsedInput);
    // The requests read before the pause come first; they may fill the queue and pause us again.
    if (!input.empty()) handleBytes(c, input.data(), input.size());
    if (!c.closed) updatePollEvents(c);
}

void ServerLoop::updatePollEvents(ServerConnection& c) {
    const std::uint32_t events = connectionPollEvents(c.readPaused, c.wantsWritable);
    if (events == c.pollEvents) return;
    if (!loop_.modify(c.fd, events, &c)) {
        registrationFailed(c, "modify");
        return;
    }
    c.pollEvents = events;
}

// epoll could not take this connection (ENOMEM, ENOSPC): close it alone, with a reason, instead of
// ending the loop. The loop counted the failed epoll_ctl (registrationFailures(), on the service's /metrics).
void ServerLoop::registrationFailed(ServerConnection& c, const char* operation) {
    spdlog::warn("http server loop {}: epoll_ctl({}) failed for a connection: {}; closing it", index_,
                 operation, std::strerror(errno));
    teardown(c);
}

void ServerLoop::teardown(ServerConnection& c) {
    if (c.closed) return;
    c.closed = true;
    if (c.stream) {
        std::shared_ptr<ResponseStream> stream = std::move(c.stream);
        stream->closedOnLoop();
    }
    loop_.remove(c.fd);
    ::close(c.fd);
    totalConnections_.fetch_sub(1, std::memory_order_relaxed);
    const std::uint32_t index = c.index;
    graveyard_.push_back(std::move(connections_[index]));
    if (index + 1 != connections_.size()) {
        connections_[index] = std::move(connections_.back());
        connections_[index]->index = index;
    }
    connections_.pop_back();
}

void ServerLoop::afterEvents() {
    // Index loop: a flush that resumes reading may answer more requests and list more connections.
    for (std::size_t i = 0; i < toFlush_.size(); ++i) {
        ServerConnection& c = *toFlush_[i];
        c.flushListed = false;
        if (!c.closed && !c.wantsWritable) flush(c);
    }
    toFlush_.clear();
    graveyard_.clear();
}

void ServerLoop::tick() {
    now_ = secondsNow();
    date_ = httpDate();
    if (acceptPaused_ && listening_) {
        if (loop_.retryAdd(listenFd_, EPOLLIN, acceptor_.get())) {
            acceptPaused_ = false;
        } else {
            spdlog::warn("http server loop {}: cannot resume accepting yet: {}", index_,
                         std::strerror(errno));
        }
    }
    // Index loop: teardown() swaps the last connection into the current slot.
    for (std::size_t i = 0; i < connections_.size();) {
        ServerConnection& c = *connections_[i];
        bool expired = false;
        if (c.closing) {
            expired = now_ - c.lastBytesAt >= kCloseSeconds;
        } else if (!c.stream) {
            // Streams live as long as their producer wants (a client that stops reading is closed by
            // the queue cap); everything else follows the edge's HTTP deadlines.
            expired = c.intake.expired(now_, c.lastBytesAt, options_.deadlines);
        }
        if (expired) {
            teardown(c);
            continue;
        }
        ++i;
    }
    // Freed by the next afterEvents(): nothing refers to them any more (the flush list is empty
    // between iterations, streams let go in teardown()).
}

}  // namespace resound::httpserver
