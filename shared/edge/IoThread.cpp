#include "edge/IoThread.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>
#include <stdexcept>

#include "dashboard/Dashboard.h"
#include "http/ErrorBody.h"
#include "http/PathPrefix.h"
#include "http/QueryString.h"
#include "http/RequestBytes.h"
#include "http/Response.h"
#include "httpserver/Accept.h"
#include "json/JsonText.h"
#include "pusher/ErrorCodes.h"
#include "websocket/FrameEncoder.h"
#include "websocket/Handshake.h"
#include "websocket/KeptDecoder.h"
#include "websocket/UpgradeCheck.h"

namespace resound::edge {

namespace {
constexpr std::size_t kReadBufferSize = 64 * 1024;
constexpr int kMaxReadsPerEvent = 4;        // fairness between busy connections
constexpr std::uint32_t kDrainSeconds = 3;  // how long a closing connection may take to go away
// Time per loop iteration spent writing fan-out traffic before input is read again (see FlushQueue.h).
constexpr auto kFairFlushSlice = std::chrono::microseconds(2000);

pusher::SharedFrame shared(std::string bytes) {
    return std::make_shared<const std::string>(std::move(bytes));
}

AddressKey addressKeyOf(const sockaddr_storage& address) {
    AddressKey key{};
    if (address.ss_family == AF_INET6) {
        std::memcpy(key.data(), &reinterpret_cast<const sockaddr_in6&>(address).sin6_addr, 16);
    } else if (address.ss_family == AF_INET) {
        key[10] = 0xFF;
        key[11] = 0xFF;
        std::memcpy(key.data() + 12, &reinterpret_cast<const sockaddr_in&>(address).sin_addr, 4);
    }
    return key;
}

// For connections refused before any request is read: a short HTTP answer, then close.
void refuse(int fd, int status, std::string_view reason, metrics::Metrics& metrics) {
    std::string response =
        http::buildResponse(status, "application/json", http::errorBody(status, reason), false);
    [[maybe_unused]] auto n = ::send(fd, response.data(), response.size(), MSG_NOSIGNAL);
    ::close(fd);
    metrics.countHttpResponse(status);
}
}  // namespace

class IoThread::Acceptor final : public loop::IoHandler {
  public:
    explicit Acceptor(IoThread& owner) : owner_(owner) {}
    void onIoEvent(std::uint32_t) override { owner_.acceptAll(); }

  private:
    IoThread& owner_;
};

// Feeds decoded WebSocket frames to the protocol. Returning false stops the decoder, which we do as
// soon as the connection stops being an open WebSocket (closed by the protocol or by the client).
class IoThread::FrameAdapter final : public ws::FrameHandler {
  public:
    FrameAdapter(IoThread& owner, Connection& c) : owner_(owner), c_(c) {}

    bool onMessage(ws::Opcode op, std::string_view payload) override {
        owner_.protocol_.onActivity(c_);
        if (op != ws::Opcode::Text) {
            owner_.closeWebSocket(c_, ws::close_code::UnsupportedData, "Binary messages are not supported");
            return false;
        }
        metrics::LoopCounters::add(owner_.counters_.bytesIn, payload.size());
        owner_.protocol_.onText(c_, payload);
        return c_.mode == Connection::Mode::WebSocket;
    }
    bool onPing(std::string_view payload) override {
        owner_.protocol_.onActivity(c_);
        // Through send(), so pongs meet the queue cap like every other frame: a client that pings and
        // never reads is a slow consumer (4100), not a way to grow our memory.
        owner_.send(c_, shared(ws::encodeFrame(ws::Opcode::Pong, payload)));
        return c_.mode == Connection::Mode::WebSocket;
    }
    bool onPong(std::string_view) override {
        owner_.protocol_.onActivity(c_);
        return true;
    }
    bool onClose(std::uint16_t code, std::string_view) override {
        // Echo the client's code as RFC 6455 §5.5.1 asks; "no status" is answered with a normal close.
        std::uint16_t reply = code == ws::close_code::NoStatus ? ws::close_code::Normal : code;
        c_.noteClose(reply, "closed by the client", owner_.ctx_.debugTap && owner_.ctx_.debugTap->active());
        owner_.closeWebSocket(c_, reply, "");
        return false;
    }

  private:
    IoThread& owner_;
    Connection& c_;
};

void Connection::onIoEvent(std::uint32_t events) { owner_.onConnectionEvent(*this, events); }

IoThread::IoThread(EdgeContext context, std::size_t index, int listenFd)
    : ctx_(context),
      index_(index),
      listenFd_(listenFd),
      counters_(context.metrics.loop(index)),
      loopBus_(context.bus, interest_, [this](std::function<void()> task) { loop_.post(std::move(task)); }),
      loopState_(context.loopStateFactory ? context.loopStateFactory(loop_) : nullptr),
      backend_(context.loopBackendFactory ? context.loopBackendFactory(loop_) : nullptr),
      backendBus_(backend_ ? std::make_unique<BackendPublishingBus>(loopBus_, *backend_) : nullptr),
      protocol_(pusher::ProtocolHandler::Dependencies{
          context.apps, context.state, backendBus_ ? static_cast<bus::Bus&>(*backendBus_) : loopBus_, *this,
          context.metrics, context.metrics.loop(index), context.webhooks, context.debugTap,
          loopState_.get()}),
      readBuffer_(kReadBufferSize),
      startedAt_(std::chrono::steady_clock::now()) {
    acceptor_ = std::make_unique<Acceptor>(*this);
    if (!loop_.add(listenFd_, EPOLLIN, acceptor_.get())) {
        throw std::runtime_error(std::string("io thread cannot watch its listener: ") + std::strerror(errno));
    }
    listening_ = true;
    loop_.setAfterEventsHook([this] { afterEvents(); });
    loop_.setTickHook(std::chrono::milliseconds(1000), [this] { tick(); });
    loop_.setIterationHook([this](std::chrono::steady_clock::duration d) { counters_.recordIteration(d); });
    protocol_.setNow(now_);
}

IoThread::~IoThread() {
    stop();
    for (auto& c : connections_) ::close(c->fd);
    if (listening_) ::close(listenFd_);
}

void IoThread::start() {
    thread_ = std::thread([this] {
        loopThread_.store(std::this_thread::get_id());
        if (ctx_.loopThreadInit) ctx_.loopThreadInit();
        try {
            loop_.run();
        } catch (const std::exception& e) {
            spdlog::critical("event loop {} stopped: {}", index_, e.what());
            std::abort();  // a dead loop would silently strand its connections; fail loudly instead
        }
        loopThread_.store(std::thread::id{});  // a later thread may be given the same id
    });
}

void IoThread::stop() {
    if (!thread_.joinable()) return;
    loop_.stop();
    thread_.join();
}

void IoThread::requestShutdown() {
    loop_.post([this] {
        draining_ = true;
        if (listening_) {
            loop_.remove(listenFd_);
            ::close(listenFd_);
            listening_ = false;
        }
        protocol_.closeAll(pusher::code::ReconnectNow, "Server shutting down, please reconnect");
        // Idle keep-alive HTTP connections would hold the drain open; one mid-request still gets its
        // answer (with Connection: close).
        for (std::size_t i = 0; i < connections_.size();) {
            Connection& c = *connections_[i];
            if (c.mode == Connection::Mode::Http && !c.intake.midRequest() && c.queue.empty() &&
                c.awaitedTicket == 0) {
                teardown(c);
                continue;
            }
            ++i;
        }
    });
}

void IoThread::enqueueBus(const bus::BusMessagePtr& message) {
    if (message->kind == bus::BusMessage::Kind::ChannelEvent &&
        !interest_.mayHave(message->appId, message->channel)) {
        return;  // no connection of this loop is subscribed: not worth a wake-up
    }
    if (std::this_thread::get_id() == loopThread_.load(std::memory_order_relaxed)) {
        // Published by this loop itself (API request, client event, presence change): afterEvents()
        // of this iteration delivers it, without the eventfd write and the extra epoll round.
        localInbox_.push_back(message);
        return;
    }
    bool wasEmpty;
    {
        std::lock_guard lock(inboxMutex_);
        wasEmpty = inbox_.empty();
        inbox_.push_back(message);
    }
    if (wasEmpty) loop_.wake();
}

std::uint32_t IoThread::secondsNow() const {
    auto elapsed = std::chrono::steady_clock::now() - startedAt_;
    return 1 + static_cast<std::uint32_t>(std::chrono::duration_cast<std::chrono::seconds>(elapsed).count());
}

void IoThread::acceptAll() {
    const auto outcome =
        httpserver::acceptPending(listenFd_, [this](int fd, const sockaddr_storage& peerAddress) {
            if (ctx_.totalConnections.load(std::memory_order_relaxed) >= ctx_.maxConnections) {
                refuse(fd, 503, "Server is at its connection limit", ctx_.metrics);
                return;
            }
            const AddressKey address = addressKeyOf(peerAddress);
            const bool limited = ctx_.addressLimiter.enabled();
            if (limited && !ctx_.addressLimiter.tryAcquire(address)) {
                refuse(fd, 429, "Too many connections from your address", ctx_.metrics);
                return;
            }
            ctx_.totalConnections.fetch_add(1, std::memory_order_relaxed);
            auto connection = std::make_unique<Connection>(*this, fd, now_);
            connection->address = address;
            connection->addressCounted = limited;
            connection->connectionIndex = static_cast<std::uint32_t>(connections_.size());
            connections_.push_back(std::move(connection));
            Connection& c = *connections_.back();
            if (!loop_.add(fd, c.pollEvents, &c)) registrationFailed(c, "add");
        });
    if (outcome == httpserver::AcceptOutcome::OutOfDescriptors) {
        spdlog::warn("accept paused on loop {}: {}", index_, std::strerror(errno));
        loop_.remove(listenFd_);
        acceptPaused_ = true;  // listening resumes on the next tick
    }
}

void IoThread::onConnectionEvent(Connection& c, std::uint32_t events) {
    if (c.mode == Connection::Mode::Closed) return;
    if (events & (EPOLLERR | EPOLLHUP)) {
        teardown(c);
        return;
    }
    if (events & EPOLLOUT) flush(c);
    if (c.mode != Connection::Mode::Closed && (events & (EPOLLIN | EPOLLRDHUP))) readFrom(c);
}

void IoThread::readFrom(Connection& c) {
    if (c.readingHeld()) {
        // Bytes (or the EOF) arrived while an answer is awaited: they wait in the socket until it
        // is sent, and the loop stops reporting them until then (level-triggered).
        updatePollEvents(c);
        return;
    }
    for (int i = 0; i < kMaxReadsPerEvent && c.mode != Connection::Mode::Closed && !c.readingHeld(); ++i) {
        ssize_t n = ::recv(c.fd, readBuffer_.data(), readBuffer_.size(), 0);
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
        if (c.mode != Connection::Mode::Draining) c.lastBytesAt = now_;
        switch (c.mode) {
            case Connection::Mode::Http:
                handleHttpBytes(c, readBuffer_.data(), static_cast<std::size_t>(n));
                break;
            case Connection::Mode::WebSocket:
                handleWebSocketBytes(c, readBuffer_.data(), static_cast<std::size_t>(n));
                break;
            case Connection::Mode::Draining:  // closing: input is read only to see the peer's EOF
            case Connection::Mode::Closed:
                break;
        }
        if (static_cast<std::size_t>(n) < readBuffer_.size()) return;
    }
}

void IoThread::handleHttpBytes(Connection& c, char* data, std::size_t length) {
    const auto& server = ctx_.config.server;
    const http::RequestParser::Limits limits{.maxHeaderBytes = server.maxRequestHeaderBytes,
                                             .maxBodyBytes = server.maxRequestSize};
    while (length > 0 && c.mode == Connection::Mode::Http) {
        std::size_t consumed = 0;
        const auto step = c.intake.feed(data, length, consumed, now_, limits);
        data += consumed;
        length -= consumed;
        if (step == httpserver::RequestIntake::Step::NeedMore) {
            if (c.intake.takeContinue()) {
                enqueue(c, shared(std::string(httpserver::RequestIntake::kContinueResponse)),
                        Urgency::Urgent);
            }
            return;
        }
        if (step == httpserver::RequestIntake::Step::Error) {
            HttpResponse response;
            response.status = c.intake.errorStatus();
            response.body = http::requestRefusalBody(response.status, c.intake.errorReason());
            respond(c, response, false);
            return;
        }
        const http::Request& request = c.intake.request();
        if (request.isWebSocketUpgrade()) {
            upgrade(c, request, data, length);
            return;
        }
        if (ctx_.dashboard &&
            dashboard::Dashboard::owns(http::stripPathPrefix(request.path, server.pathPrefix))) {
            handOffToDashboard(c, request, data, length);
            return;
        }
        HttpResponse response;
        if (backend_) {
            if (++nextTicket_ == 0) nextTicket_ = 1;  // 0 means "not waiting"
            const std::uint32_t ticket = nextTicket_;
            auto answer = ctx_.router.route(request, *backend_,
                                            [this, ticket, keepAlive = request.keepAlive()](HttpResponse r) {
                                                answerArrived(ticket, keepAlive, std::move(r));
                                            });
            if (!answer) {
                // HTTP/1.1 answers go in request order: later pipelined requests wait for this one.
                // The socket stays registered for reading: clients that wait for each answer (all
                // but pipelining ones) send nothing meanwhile, so this saves two epoll_ctl calls per
                // request; readFrom() takes it out of the poll set only if bytes do arrive.
                c.awaitedTicket = ticket;
                awaited_.emplace(ticket, &c);
                if (length > 0) c.unparsedInput = std::make_unique<std::string>(data, length);
                return;
            }
            response = std::move(*answer);
        } else {
            response = ctx_.router.route(request);
        }
        bool keepAlive = request.keepAlive() && !draining_;
        respond(c, response, keepAlive);
        if (!keepAlive) return;
        c.intake.next();
        if (c.queue.bytes() >= server.maxQueuedBytesPerConnection) {
            // A pipelining client that does not read its answers: stop taking requests until they
            // drain (as nginx does), so its unsent output stays near the cap instead of growing.
            pauseReading(c, data, length);
            return;
        }
    }
}

void IoThread::handOffToDashboard(Connection& c, const http::Request& request, const char* rest,
                                  std::size_t restLength) {
    // Answers to earlier pipelined requests leave first, or the client would see them out of order;
    // browsers do not pipeline, so one that cannot be written at once ends the connection instead.
    if (!c.queue.empty()) flush(c);
    if (c.mode != Connection::Mode::Http) return;
    if (!c.queue.empty()) {
        respond(c,
                {503,
                 "application/json",
                 http::errorBody(503, "Send dashboard requests on a connection of their own"),
                 {}},
                false);
        return;
    }
    std::string bytes = http::requestBytes(request);
    bytes.append(rest, restLength);
    sockaddr_storage peer{};
    socklen_t peerLength = sizeof peer;
    std::string remote = "unknown";
    if (::getpeername(c.fd, reinterpret_cast<sockaddr*>(&peer), &peerLength) == 0)
        remote = httpserver::describeAddress(peer);
    const int fd = c.fd;
    detach(c);
    ctx_.dashboard->adopt(fd, std::move(remote), std::move(bytes));
}

void IoThread::detach(Connection& c) {
    c.mode = Connection::Mode::Closed;
    forgetAwaitedAnswer(c);
    c.closing = true;
    c.intake.release();
    loop_.remove(c.fd);
    ctx_.totalConnections.fetch_sub(1, std::memory_order_relaxed);
    if (c.addressCounted) ctx_.addressLimiter.release(c.address);
    const std::uint32_t index = c.connectionIndex;
    graveyard_.push_back(std::move(connections_[index]));
    if (index + 1 != connections_.size()) {
        connections_[index] = std::move(connections_.back());
        connections_[index]->connectionIndex = index;
    }
    connections_.pop_back();
}

void IoThread::pauseReading(Connection& c, const char* unparsed, std::size_t unparsedLength) {
    c.readPaused = true;
    if (unparsedLength > 0) c.unparsedInput = std::make_unique<std::string>(unparsed, unparsedLength);
    updatePollEvents(c);
}

void IoThread::resumeReading(Connection& c) {
    c.readPaused = false;
    const std::unique_ptr<std::string> input = std::move(c.unparsedInput);
    // The requests read before the pause come first; they may fill the queue and pause us again.
    if (input) handleHttpBytes(c, input->data(), input->size());
    if (c.mode != Connection::Mode::Closed) updatePollEvents(c);  // handed to the dashboard: not ours
}

void IoThread::updatePollEvents(Connection& c) {
    const std::uint32_t events = httpserver::connectionPollEvents(c.readingHeld(), c.queue.blocked());
    if (events == c.pollEvents) return;
    if (!loop_.modify(c.fd, events, &c)) {
        registrationFailed(c, "modify");
        return;
    }
    c.pollEvents = events;
}

// epoll could not take this connection (ENOMEM under load, ENOSPC past fs.epoll.max_user_watches):
// close it alone, with a reason and a count, instead of ending the loop every other one lives on.
void IoThread::registrationFailed(Connection& c, const char* operation) {
    const int error = errno;
    spdlog::warn("loop {}: epoll_ctl({}) failed for a connection: {}; closing it", index_, operation,
                 std::strerror(error));
    teardown(c);  // the loop counted the failed epoll_ctl: registrationFailures()
}

void IoThread::respond(Connection& c, const HttpResponse& response, bool keepAlive) {
    ctx_.metrics.countHttpResponse(response.status);
    enqueue(c,
            shared(http::buildResponse(response.status, response.contentType, response.body, keepAlive,
                                       response.headers)),
            Urgency::Urgent);
    if (!keepAlive) {
        c.mode = Connection::Mode::Draining;
        c.queue.closeWhenDrained();
        c.intake.release();
    }
}

void IoThread::forgetAwaitedAnswer(Connection& c) {
    if (c.awaitedTicket == 0) return;
    awaited_.erase(c.awaitedTicket);
    c.awaitedTicket = 0;
}

void IoThread::answerArrived(std::uint32_t ticket, bool requestKeepAlive, HttpResponse response) {
    const auto found = awaited_.find(ticket);
    if (found == awaited_.end())
        return;  // the client went away meanwhile: the publish happened, nobody is told
    Connection& c = *found->second;
    awaited_.erase(found);
    c.awaitedTicket = 0;
    if (c.mode != Connection::Mode::Http) return;
    const bool keepAlive = requestKeepAlive && !draining_;
    respond(c, response, keepAlive);
    if (!keepAlive) {
        c.unparsedInput.reset();
        updatePollEvents(c);  // draining: read on only to see the client's EOF
        return;
    }
    c.intake.next();
    if (c.queue.bytes() >= ctx_.config.server.maxQueuedBytesPerConnection) {
        c.readPaused = true;  // the held requests wait until the answers drain, as in handleHttpBytes
        updatePollEvents(c);
        return;
    }
    resumeReading(c);  // the requests that arrived meanwhile, then the socket again
}

void IoThread::upgrade(Connection& c, const http::Request& request, char* rest, std::size_t restLength) {
    const ws::UpgradeEndpoint endpoint{.servesWebSockets = ctx_.router.servesWebSockets(),
                                       .pathPrefix = ctx_.config.server.pathPrefix};
    ws::UpgradeDecision decision = ws::checkUpgrade(request, endpoint);
    if (!decision.accepted()) {
        respond(c,
                {decision.status, "application/json", std::move(decision.body), std::move(decision.headers)},
                false);
        return;
    }

    std::optional<std::string> protocolParam;
    for (auto& [name, value] : http::parseQuery(request.query)) {
        if (name == "protocol") protocolParam = value;
    }
    const std::string* originHeader = request.header("origin");
    std::string origin = originHeader ? *originHeader : std::string();
    std::string appKeyText(decision.appKey);

    enqueue(c, shared(ws::buildUpgradeResponse(decision.acceptKey)), Urgency::Urgent);
    c.mode = Connection::Mode::WebSocket;
    c.upgraded = true;
    c.intake.release();
    const config::AppConfig* app = ctx_.apps.byKey(appKeyText);
    const std::size_t maxMessageSize = app ? app->maxMessageSize : 10000;
    c.maxMessageSize = static_cast<std::uint32_t>(
        std::min<std::size_t>(maxMessageSize, std::numeric_limits<std::uint32_t>::max()));
    protocol_.setNow(now_);
    if (protocolParam) {
        protocol_.open(c, appKeyText, std::string_view(*protocolParam), origin);
    } else {
        protocol_.open(c, appKeyText, std::nullopt, origin);
    }
    if (restLength > 0 && c.mode == Connection::Mode::WebSocket) handleWebSocketBytes(c, rest, restLength);
}

void IoThread::handleWebSocketBytes(Connection& c, char* data, std::size_t length) {
    FrameAdapter adapter(*this, c);
    auto error = ws::feedKeepingDecoderOnlyMidMessage(c.decoder, c.maxMessageSize, data, length, adapter);
    if (error && c.mode == Connection::Mode::WebSocket) {
        ctx_.metrics.countProtocolError(error->closeCode);
        spdlog::debug("websocket protocol error socket_id={} code={} reason={}", c.socketId(),
                      error->closeCode, error->reason);
        closeWebSocket(c, error->closeCode, error->reason);  // releases a kept decoder
    }
}

void IoThread::send(pusher::Peer& peer, const pusher::SharedFrame& frame) {
    auto& c = static_cast<Connection&>(peer);
    if (c.mode != Connection::Mode::WebSocket) return;
    if (!c.queue.offer(frame, ctx_.config.server.maxQueuedBytesPerConnection)) {
        slowConsumer(c);
        return;
    }
    schedule(c, Urgency::Fair);
}

void IoThread::close(pusher::Peer& peer, std::uint16_t code, std::string_view reason) {
    closeWebSocket(static_cast<Connection&>(peer), code, reason);
}

void IoThread::closeWebSocket(Connection& c, std::uint16_t code, std::string_view reason) {
    if (c.mode != Connection::Mode::WebSocket) return;
    c.noteClose(code, reason, ctx_.debugTap && ctx_.debugTap->active());
    c.closing = true;
    enqueue(c, shared(ws::encodeCloseFrame(code, reason)), Urgency::Urgent);
    c.mode = Connection::Mode::Draining;
    c.queue.closeWhenDrained();
    c.lastBytesAt = now_;
    c.decoder.reset();
}

void IoThread::slowConsumer(Connection& c) {
    metrics::LoopCounters::add(counters_.slowConsumerCloses);
    spdlog::warn("slow consumer closed app={} socket_id={} queued_bytes={}", c.app ? c.app->id : "",
                 c.socketId(), c.queue.bytes());
    // Keep a partly written frame (cutting it would corrupt the stream), drop the rest, then close.
    c.queue.dropUnsent();
    ctx_.metrics.countProtocolError(pusher::code::OverCapacity);
    closeWebSocket(c, pusher::code::OverCapacity, "Slow consumer: too many messages queued");
}

void IoThread::enqueue(Connection& c, pusher::SharedFrame bytes, Urgency urgency) {
    c.queue.pushAnswer(std::move(bytes));
    schedule(c, urgency);
}

void IoThread::schedule(Connection& c, Urgency urgency) {
    if (c.queue.blocked()) return;  // the socket buffer is full: EPOLLOUT flushes it
    if (urgency == Urgency::Urgent) {
        flushQueue_.addUrgent(c);
    } else {
        flushQueue_.addFair(c);
    }
}

void IoThread::flush(Connection& c) {
    std::size_t written = 0;
    const auto outcome = c.queue.flushTo(c.fd, written);
    metrics::LoopCounters::add(counters_.bytesOut, static_cast<std::uint64_t>(written));
    if (outcome == SendQueue::Outcome::Failed) {
        teardown(c);
        return;
    }
    if (outcome == SendQueue::Outcome::Blocked) {
        updatePollEvents(c);
        return;
    }
    if (c.readPaused) {
        resumeReading(c);  // its answers are queued and flushed like any others
        return;
    }
    updatePollEvents(c);
    if (c.mode == Connection::Mode::Closed) return;
    // Half-closed: the drain timer now waits for the peer's EOF.
    if (outcome == SendQueue::Outcome::HalfClosed) c.lastBytesAt = now_;
}

void IoThread::teardown(Connection& c) {
    if (c.mode == Connection::Mode::Closed) return;
    c.mode = Connection::Mode::Closed;
    c.closing = true;
    forgetAwaitedAnswer(c);  // an answer still on its way finds nothing
    if (c.upgraded) {
        c.upgraded = false;
        protocol_.closed(c);
    }
    loop_.remove(c.fd);
    ::close(c.fd);
    ctx_.totalConnections.fetch_sub(1, std::memory_order_relaxed);
    if (c.addressCounted) ctx_.addressLimiter.release(c.address);
    std::uint32_t index = c.connectionIndex;
    graveyard_.push_back(std::move(connections_[index]));
    if (index + 1 != connections_.size()) {
        connections_[index] = std::move(connections_.back());
        connections_[index]->connectionIndex = index;
    }
    connections_.pop_back();
}

void IoThread::afterEvents() {
    // What this iteration asked of the cluster state goes out together (answers to refused calls run here).
    if (loopState_) loopState_->flush();
    // And the API publishes of this iteration, in one write (answers to refused ones are queued here).
    if (backend_) backend_->flush();
    {
        std::lock_guard lock(inboxMutex_);
        delivering_.swap(inbox_);
    }
    for (const auto& message : delivering_) protocol_.deliver(*message);
    delivering_.clear();
    deliverLocalInbox();

    const auto sliceEnd = std::chrono::steady_clock::now() + kFairFlushSlice;
    bool moreToWrite = flushQueue_.run(
        [this](Connection& c) {
            if (c.mode != Connection::Mode::Closed) flush(c);
        },
        [sliceEnd] { return std::chrono::steady_clock::now() >= sliceEnd; });
    if (backend_) {
        // A connection whose answers drained resumed reading and may have handed over more publishes:
        // they go out now, not after the next wait (answers to refused ones are written next round).
        backend_->flush();
        moreToWrite = moreToWrite || flushQueue_.pending();
    }
    // Closing a connection while flushing can publish (member_removed) into the local inbox.
    if (moreToWrite || !localInbox_.empty()) loop_.skipNextWait();
    freeUnreferencedConnections();
}

void IoThread::deliverLocalInbox() {
    // Delivering can publish again (a slow consumer closed, its presence left): loop until quiet.
    while (!localInbox_.empty()) {
        localDelivering_.swap(localInbox_);
        for (const auto& message : localDelivering_) protocol_.deliver(*message);
        localDelivering_.clear();
    }
}

void IoThread::freeUnreferencedConnections() {
    std::erase_if(graveyard_,
                  [](const std::unique_ptr<Connection>& c) { return !FlushQueue<Connection>::queued(*c); });
}

void IoThread::tick() {
    now_ = secondsNow();
    protocol_.setNow(now_);
    protocol_.tick();
    if (acceptPaused_ && listening_) {
        if (loop_.retryAdd(listenFd_, EPOLLIN, acceptor_.get())) {
            acceptPaused_ = false;
        } else {
            spdlog::warn("loop {}: cannot resume accepting yet: {}", index_, std::strerror(errno));
        }
    }
    const auto& server = ctx_.config.server;
    const httpserver::HttpDeadlines deadlines{
        .requestSeconds = static_cast<std::uint32_t>(server.handshakeTimeoutSeconds),
        .idleSeconds = static_cast<std::uint32_t>(server.httpIdleTimeoutSeconds)};
    // Index loop: teardown() swaps the last connection into the current slot.
    for (std::size_t i = 0; i < connections_.size();) {
        Connection& c = *connections_[i];
        bool expired = false;
        if (c.mode == Connection::Mode::Http) {
            // A request waiting for Redis is bounded by the Redis timeouts, not the HTTP deadlines.
            expired = c.awaitedTicket == 0 && c.intake.expired(now_, c.lastBytesAt, deadlines);
        } else if (c.mode == Connection::Mode::Draining) {
            expired = now_ - c.lastBytesAt >= kDrainSeconds;
        }
        if (expired) {
            teardown(c);
            continue;
        }
        ++i;
    }
    // Timed-out connections may have published (presence left) or asked the cluster state to forget
    // them: deliver and send without waiting for I/O.
    if (loopState_) loopState_->flush();
    if (backend_) backend_->flush();  // refused publishes queue their answers here
    if (!localInbox_.empty() || flushQueue_.pending()) loop_.skipNextWait();
    freeUnreferencedConnections();
}

}  // namespace resound::edge
