#include "SubscriberFleet.h"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "Clock.h"
#include "PusherMessageScanner.h"
#include "ServerFrameReader.h"
#include "WsClientHandshake.h"
#include "websocket/FrameEncoder.h"

namespace resound::bench {
namespace {

constexpr std::size_t kReadChunk = 64 * 1024;
constexpr std::size_t kMaxFramePayload = 1 << 20;
constexpr int kReadsPerWakeup = 4;  // bounded so one busy socket cannot starve the others

std::int64_t errorCodeOf(const PusherMessage& message, std::string& scratch) {
    std::int64_t code = 0;
    if (!message.hasData) return 0;
    if (message.dataIsString) {
        if (!unescapeJsonString(message.data, scratch)) return 0;
        return findIntegerMember(scratch, "code", code) ? code : 0;
    }
    return findIntegerMember(message.data, "code", code) ? code : 0;
}

}  // namespace

SubscriberFleet::SubscriberFleet(EventLoop& loop, TcpDialer& dialer, const FleetConfig& config,
                                 DeliveryLedger& ledger)
    : loop_(loop), dialer_(dialer), config_(config), ledger_(ledger), subscribers_(config.subscribers) {
    if (config_.channels == 0) config_.channels = 1;
    for (std::size_t c = 0; c < config_.channels; ++c)
        channelNames_.push_back(config_.channelPrefix + std::to_string(c));
    target_ = "/app/" + config_.appKey + "?protocol=7&client=bench&version=1";
    readBuffer_.resize(kReadChunk);
    realtimeOffsetNs_ = realtimeMinusMonotonicNs();
}

SubscriberFleet::~SubscriberFleet() { closeAll(); }

std::string SubscriberFleet::keyFor(std::size_t index) const {
    return makeWebSocketKey(0x5265736F756E6421ull, 0x62656E6368000000ull ^ index);
}

std::string SubscriberFleet::channelName(std::size_t index) const {
    return channelNames_[index % config_.channels];
}

std::uint32_t SubscriberFleet::nextMask() {
    rng_ ^= rng_ << 13;
    rng_ ^= rng_ >> 7;
    rng_ ^= rng_ << 17;
    return static_cast<std::uint32_t>(rng_);
}

bool SubscriberFleet::isSubscribed(std::size_t index) const {
    return subscribers_[index].phase == Phase::Subscribed;
}

std::vector<std::uint32_t> SubscriberFleet::channelOfEach() const {
    std::vector<std::uint32_t> out(subscribers_.size());
    for (std::size_t i = 0; i < out.size(); ++i) out[i] = static_cast<std::uint32_t>(i % config_.channels);
    return out;
}

std::vector<bool> SubscriberFleet::everSubscribed() const {
    std::vector<bool> out(subscribers_.size());
    for (std::size_t i = 0; i < out.size(); ++i) out[i] = subscribers_[i].everSubscribed;
    return out;
}

void SubscriberFleet::startConnections(std::int64_t now) {
    while (nextToStart_ < subscribers_.size() && inProgress_ < config_.connectConcurrency) {
        startOne(nextToStart_++, now);
    }
}

void SubscriberFleet::startOne(std::size_t index, std::int64_t now) {
    Subscriber& s = subscribers_[index];
    std::string error;
    s.startedNs = now;
    s.fd = dialer_.dial(error);
    if (s.fd < 0) {
        s.phase = Phase::Closed;
        ++failed_;
        noteProblem(error);
        return;
    }
    const int one = 1;
    setsockopt(s.fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof one);
    s.phase = Phase::Connecting;
    ++inProgress_;
    if (!loop_.add(s.fd, EPOLLOUT, makeToken(TokenKind::Subscriber, index))) {
        fail(index, std::string("epoll_ctl: ") + std::strerror(errno));
    }
}

void SubscriberFleet::onEvent(std::size_t index, std::uint32_t events, std::int64_t now) {
    if (index >= subscribers_.size() || subscribers_[index].phase == Phase::Closed) return;
    if (events & EPOLLOUT) onWritable(index, now);
    if (subscribers_[index].phase == Phase::Closed) return;
    if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) onReadable(index, now);
}

void SubscriberFleet::onWritable(std::size_t index, std::int64_t now) {
    Subscriber& s = subscribers_[index];
    if (s.phase == Phase::Connecting) {
        const int error = TcpDialer::pendingError(s.fd);
        if (error != 0) {
            fail(index, std::string("connect: ") + std::strerror(error));
            return;
        }
        s.phase = Phase::Upgrading;
        loop_.modify(s.fd, EPOLLIN, makeToken(TokenKind::Subscriber, index));
        send(index, buildUpgradeRequest(config_.hostHeader, target_, keyFor(index)));
        return;
    }
    while (!s.outbox.empty()) {
        const ssize_t n = ::send(s.fd, s.outbox.data(), s.outbox.size(), MSG_NOSIGNAL);
        if (n > 0) {
            s.outbox.erase(0, static_cast<std::size_t>(n));
        } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            break;
        } else {
            fail(index, std::string("send: ") + std::strerror(errno));
            return;
        }
    }
    updateInterest(index);
}

void SubscriberFleet::send(std::size_t index, std::string bytes) {
    Subscriber& s = subscribers_[index];
    if (s.outbox.empty()) {
        const ssize_t n = ::send(s.fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
        if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
            fail(index, std::string("send: ") + std::strerror(errno));
            return;
        }
        if (n > 0) bytes.erase(0, static_cast<std::size_t>(n));
    }
    s.outbox += bytes;
    updateInterest(index);
}

void SubscriberFleet::updateInterest(std::size_t index) {
    Subscriber& s = subscribers_[index];
    const bool wants = !s.outbox.empty();
    if (wants == s.wantsWrite) return;
    s.wantsWrite = wants;
    loop_.modify(s.fd, EPOLLIN | (wants ? EPOLLOUT : 0u), makeToken(TokenKind::Subscriber, index));
}

// Receipt time is read after each recvmsg(), not once per epoll batch: a batch of a thousand sockets
// takes long enough to skew latencies otherwise.
void SubscriberFleet::onReadable(std::size_t index, std::int64_t) {
    for (int i = 0; i < kReadsPerWakeup; ++i) {
        Subscriber& s = subscribers_[index];
        iovec iov{readBuffer_.data(), readBuffer_.size()};
        alignas(cmsghdr) char control[CMSG_SPACE(sizeof(timespec))];
        msghdr message{};
        message.msg_iov = &iov;
        message.msg_iovlen = 1;
        message.msg_control = control;
        message.msg_controllen = sizeof control;
        const ssize_t n = ::recvmsg(s.fd, &message, 0);
        if (n > 0) {
            // For TCP the timestamp is that of the last segment read, so frames that arrived
            // earlier in the same read look slightly younger than they are.
            kernelReceivedNs_ = 0;
            for (cmsghdr* c = CMSG_FIRSTHDR(&message); c; c = CMSG_NXTHDR(&message, c)) {
                if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
                    timespec ts{};
                    std::memcpy(&ts, CMSG_DATA(c), sizeof ts);
                    kernelReceivedNs_ =
                        static_cast<std::int64_t>(ts.tv_sec) * kNsPerSecond + ts.tv_nsec - realtimeOffsetNs_;
                }
            }
            consume(index, std::string_view(readBuffer_.data(), static_cast<std::size_t>(n)), monotonicNs());
            if (subscribers_[index].phase == Phase::Closed ||
                static_cast<std::size_t>(n) < readBuffer_.size())
                return;
        } else if (n == 0) {
            fail(index, "server closed the TCP connection");
            return;
        } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
            return;
        } else if (errno != EINTR) {
            fail(index, std::string("recv: ") + std::strerror(errno));
            return;
        }
    }
}

void SubscriberFleet::consume(std::size_t index, std::string_view bytes, std::int64_t now) {
    Subscriber& s = subscribers_[index];
    if (s.phase == Phase::Upgrading) {
        s.inbox.append(bytes);
        const UpgradeResponse response = parseUpgradeResponse(s.inbox, keyFor(index));
        if (response.status == UpgradeStatus::NeedMore) return;
        if (response.status == UpgradeStatus::Rejected) {
            fail(index, "upgrade rejected: " + response.problem);
            return;
        }
        s.inbox.erase(0, response.headLength);
        s.phase = Phase::AwaitEstablished;
        std::string pending;
        pending.swap(s.inbox);
        consume(index, pending, now);
        return;
    }
    if (s.inbox.empty()) {
        const std::size_t used = consumeFrames(index, bytes, now);
        if (subscribers_[index].phase != Phase::Closed && used < bytes.size()) {
            subscribers_[index].inbox.assign(bytes.substr(used));
        }
        return;
    }
    s.inbox.append(bytes);
    std::string pending;
    pending.swap(s.inbox);
    const std::size_t used = consumeFrames(index, pending, now);
    if (subscribers_[index].phase != Phase::Closed && used < pending.size()) {
        pending.erase(0, used);
        subscribers_[index].inbox.swap(pending);
    }
}

std::size_t SubscriberFleet::consumeFrames(std::size_t index, std::string_view bytes, std::int64_t now) {
    std::size_t used = 0;
    while (used < bytes.size()) {
        ServerFrame frame;
        const FrameResult result = readServerFrame(bytes.substr(used), frame, kMaxFramePayload);
        if (result.status == FrameStatus::NeedMore) break;
        if (result.status == FrameStatus::Invalid) {
            fail(index, std::string("bad frame: ") + result.problem);
            return used;
        }
        used += result.consumed;
        Subscriber& s = subscribers_[index];
        switch (frame.op) {
            case FrameOp::Text:
            case FrameOp::Continuation:
                if (frame.op == FrameOp::Text && !s.fragments.empty()) {
                    fail(index, "bad frame: new message inside a fragmented one");
                    return used;
                }
                if (frame.fin && s.fragments.empty()) {
                    onMessage(index, frame.payload, now);
                } else {
                    s.fragments.append(frame.payload);
                    if (frame.fin) {
                        std::string message;
                        message.swap(s.fragments);
                        onMessage(index, message, now);
                    }
                }
                break;
            case FrameOp::Ping:
                send(index, ws::encodeMaskedFrame(ws::Opcode::Pong, frame.payload, nextMask()));
                break;
            case FrameOp::Pong:
                break;
            case FrameOp::Close: {
                int code = 1005;
                if (frame.payload.size() >= 2) {
                    code = (static_cast<std::uint8_t>(frame.payload[0]) << 8) |
                           static_cast<std::uint8_t>(frame.payload[1]);
                }
                fail(index, "server sent close " + std::to_string(code));
                return used;
            }
            case FrameOp::Binary:
                ++otherEvents_;
                break;
        }
        if (subscribers_[index].phase == Phase::Closed) return used;
    }
    return used;
}

void SubscriberFleet::onMessage(std::size_t index, std::string_view text, std::int64_t now) {
    Subscriber& s = subscribers_[index];
    PusherMessage message;
    if (!scanPusherMessage(text, message)) {
        fail(index, "malformed JSON message from server");
        return;
    }
    if (s.phase == Phase::Subscribed && message.event == config_.eventName) {
        BenchStamp stamp;
        if (!readBenchStamp(message, stamp, scratch_)) {
            ++badStamps_;
            return;
        }
        deliveryLatency_.record(now - stamp.sentNs);
        if (kernelReceivedNs_ > 0) kernelDeliveryLatency_.record(kernelReceivedNs_ - stamp.sentNs);
        ledger_.recordDelivery(index, stamp.seq);
        return;
    }
    if (message.event == "pusher:ping") {
        ++pingsAnswered_;
        send(index,
             ws::encodeMaskedFrame(ws::Opcode::Text, R"({"event":"pusher:pong","data":{}})", nextMask()));
        return;
    }
    if (message.event == "pusher:error" || message.event == "pusher:subscription_error") {
        const std::int64_t code = errorCodeOf(message, scratch_);
        noteProblem(std::string(message.event) + " " + std::to_string(code));
        if (s.phase != Phase::Subscribed) fail(index, "handshake ended by " + std::string(message.event));
        return;
    }
    if (s.phase == Phase::AwaitEstablished && message.event == "pusher:connection_established") {
        connectToEstablished_.record(now - s.startedNs);
        s.phase = Phase::AwaitSubscribed;
        std::string subscribe = R"({"event":"pusher:subscribe","data":{"channel":")";
        subscribe += channelName(index);
        subscribe += "\"}}";
        send(index, ws::encodeMaskedFrame(ws::Opcode::Text, subscribe, nextMask()));
        return;
    }
    if (s.phase == Phase::AwaitSubscribed && message.event == "pusher_internal:subscription_succeeded") {
        if (message.channel != channelName(index)) {
            fail(index, "subscription_succeeded for another channel");
            return;
        }
        connectToSubscribed_.record(now - s.startedNs);
        subscribeLatencies_.push_back(now - s.startedNs);
        s.phase = Phase::Subscribed;
        s.everSubscribed = true;
        --inProgress_;
        ++subscribed_;
        return;
    }
    ++otherEvents_;
}

void SubscriberFleet::fail(std::size_t index, const std::string& reason) {
    Subscriber& s = subscribers_[index];
    if (s.phase == Phase::Closed) return;
    noteProblem(reason);
    if (s.phase == Phase::Subscribed) {
        --subscribed_;
        ++dropped_;
    } else {
        --inProgress_;
        ++failed_;
    }
    if (s.fd >= 0) close(s.fd);
    s.fd = -1;
    s.phase = Phase::Closed;
    std::string().swap(s.inbox);
    std::string().swap(s.outbox);
    std::string().swap(s.fragments);
}

void SubscriberFleet::abandonPending() {
    for (std::size_t i = 0; i < subscribers_.size(); ++i) {
        const Phase phase = subscribers_[i].phase;
        if (phase == Phase::NotStarted) {
            subscribers_[i].phase = Phase::Closed;
            ++failed_;
            noteProblem("never started (connect phase timed out)");
        } else if (phase != Phase::Subscribed && phase != Phase::Closed) {
            fail(i, "handshake timed out");
        }
    }
    nextToStart_ = subscribers_.size();
}

void SubscriberFleet::closeAll() {
    for (auto& s : subscribers_) {
        if (s.fd >= 0) close(s.fd);
        s.fd = -1;
        if (s.phase != Phase::NotStarted) s.phase = Phase::Closed;
    }
    inProgress_ = 0;
}

}  // namespace resound::bench
