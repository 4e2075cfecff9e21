#include "HttpPublisher.h"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstring>

#include "Clock.h"
#include "PublishRequest.h"
#include "PusherMessageScanner.h"

namespace resound::bench {
namespace {

constexpr std::size_t kReadChunk = 16 * 1024;
// Reopening stops after this many failures in a row (connect refused, reset, bad response); a
// server that simply closes after each complete answer is reopened without limit.
constexpr std::uint64_t kMaxFailureStreak = 100;

}  // namespace

HttpPublisher::HttpPublisher(EventLoop& loop, TcpDialer& dialer, const PublisherConfig& config,
                             DeliveryLedger* ledger)
    : loop_(loop), dialer_(dialer), config_(config), ledger_(ledger), connections_(config.connections) {
    if (config_.channels == 0) config_.channels = 1;
    for (std::size_t c = 0; c < config_.channels; ++c)
        channelNames_.push_back(config_.channelPrefix + std::to_string(c));
    target_ = PublishTarget{config_.hostHeader, config_.appId, config_.appKey, config_.appSecret};
    readBuffer_.resize(kReadChunk);
    loop_.add(timer_.fd(), EPOLLIN, makeToken(TokenKind::Timer, 0));
}

HttpPublisher::~HttpPublisher() {
    loop_.remove(timer_.fd());
    closeAll();
}

void HttpPublisher::connect() {
    for (std::size_t i = 0; i < connections_.size(); ++i) open(i);
}

std::size_t HttpPublisher::readyConnections() const {
    std::size_t ready = 0;
    for (const auto& c : connections_) ready += c.phase == Phase::Idle || c.phase == Phase::Busy;
    return ready;
}

void HttpPublisher::open(std::size_t index) {
    Connection& c = connections_[index];
    std::string error;
    c.fd = dialer_.dial(error);
    if (c.fd < 0) {
        ++problems_[error];
        c.phase = Phase::Closed;
        return;
    }
    c.phase = Phase::Connecting;
    c.wantsWrite = true;
    c.outbox.clear();
    c.reader.reset();
    loop_.add(c.fd, EPOLLOUT, makeToken(TokenKind::HttpConnection, index));
}

void HttpPublisher::start(std::int64_t now) {
    started_ = true;
    startNs_ = now;
    pump(now);
}

std::int64_t HttpPublisher::scheduledTimeOf(std::uint64_t eventIndex) const {
    return startNs_ + static_cast<std::int64_t>(static_cast<double>(eventIndex) * 1e9 / config_.rate);
}

bool HttpPublisher::mayScheduleMore(std::int64_t now) const {
    if (!started_ || nextEvent_ >= config_.maxEvents) return false;
    // Nothing is sent after the window, even if the schedule fell behind: an overloaded server must
    // not stretch the run; the events left over are reported as skipped.
    const std::int64_t end = startNs_ + config_.durationNs;
    return now < end && (config_.rate <= 0 || scheduledTimeOf(nextEvent_) < end);
}

std::uint64_t HttpPublisher::skipped() const {
    if (!started_ || config_.rate <= 0) return 0;
    // Events i with start + i/rate < start + duration: i < duration * rate.
    const double window = static_cast<double>(config_.durationNs) * config_.rate / 1e9;
    auto planned = static_cast<std::uint64_t>(std::ceil(window));
    planned = std::min(planned, config_.maxEvents);
    return planned > sent_ ? planned - sent_ : 0;
}

bool HttpPublisher::finished(std::int64_t now) const {
    return started_ && !mayScheduleMore(now) && inFlight_ == 0;
}

bool HttpPublisher::stalled() const {
    for (const auto& c : connections_) {
        if (c.phase != Phase::Closed) return false;
    }
    return true;
}

void HttpPublisher::onTimer(std::int64_t now) {
    timer_.acknowledge();
    pump(now);
}

void HttpPublisher::pump(std::int64_t now) {
    std::size_t probe = 0;
    while (mayScheduleMore(now)) {
        const std::int64_t due = config_.rate > 0 ? scheduledTimeOf(nextEvent_) : now;
        if (due > now) {
            now = monotonicNs();
            if (due > now) {
                timer_.armAt(due);
                return;
            }
        }
        bool sentOne = false;
        for (; probe < connections_.size(); ++probe) {
            if (connections_[probe].phase == Phase::Idle) {
                sendEvent(probe, nextEvent_++, due, now);
                sentOne = true;
                ++probe;
                break;
            }
        }
        if (!sentOne) return;  // every connection is busy; the next response pumps again
        if (probe >= connections_.size()) probe = 0;
    }
}

void HttpPublisher::sendEvent(std::size_t index, std::uint64_t eventIndex, std::int64_t scheduledNs,
                              std::int64_t now) {
    Connection& c = connections_[index];
    const std::size_t channel = eventIndex % config_.channels;
    const std::uint64_t seq = eventIndex / config_.channels;
    const std::int64_t sentNs = monotonicNs();

    if (config_.batch > 1) {
        // Events of one request go to consecutive channels; only publish mode batches, where no
        // subscriber counts deliveries.
        const std::int64_t second = unixSeconds();
        if (second != batchRequestsSecond_) {
            batchRequests_.assign(config_.channels, std::string());
            batchRequestsSecond_ = second;
        }
        std::string& request = batchRequests_[channel];
        if (request.empty()) {
            std::vector<std::string> events;
            events.reserve(config_.batch);
            for (std::size_t k = 0; k < config_.batch; ++k) {
                events.push_back(buildEventBody(config_.eventName,
                                                channelNames_[(channel + k) % config_.channels],
                                                makeBenchData(BenchStamp{sentNs, seq})));
            }
            request = buildPublishRequest(target_, buildBatchBody(events), second, "batch_events");
        }
        c.outbox += request;
    } else {
        const std::string body =
            buildEventBody(config_.eventName, channelNames_[channel], makeBenchData(BenchStamp{sentNs, seq}));
        c.outbox += buildPublishRequest(target_, body, unixSeconds());
    }
    c.phase = Phase::Busy;
    c.eventIndex = eventIndex;
    c.scheduledNs = scheduledNs;
    c.sentNs = sentNs;
    c.reader.reset();
    ++inFlight_;
    ++sent_;
    scheduleLag_.record(sentNs - scheduledNs);
    (void)now;
    flush(index);
}

void HttpPublisher::flush(std::size_t index) {
    Connection& c = connections_[index];
    while (!c.outbox.empty()) {
        const ssize_t n = ::send(c.fd, c.outbox.data(), c.outbox.size(), MSG_NOSIGNAL);
        if (n > 0) {
            c.outbox.erase(0, static_cast<std::size_t>(n));
        } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            break;
        } else {
            drop(index, std::string("send: ") + std::strerror(errno));
            return;
        }
    }
    updateInterest(index);
}

void HttpPublisher::updateInterest(std::size_t index) {
    Connection& c = connections_[index];
    const bool wants = !c.outbox.empty();
    if (wants == c.wantsWrite) return;
    c.wantsWrite = wants;
    loop_.modify(c.fd, EPOLLIN | (wants ? EPOLLOUT : 0u), makeToken(TokenKind::HttpConnection, index));
}

void HttpPublisher::onEvent(std::size_t index, std::uint32_t events, std::int64_t now) {
    if (index >= connections_.size()) return;
    Connection& c = connections_[index];
    if (c.phase == Phase::Closed) return;
    if (c.phase == Phase::Connecting) {
        if (!(events & (EPOLLOUT | EPOLLERR | EPOLLHUP))) return;
        const int error = TcpDialer::pendingError(c.fd);
        if (error != 0) {
            drop(index, std::string("connect: ") + std::strerror(error));
            return;
        }
        c.phase = Phase::Idle;
        c.wantsWrite = false;
        loop_.modify(c.fd, EPOLLIN, makeToken(TokenKind::HttpConnection, index));
        pump(now);
        return;
    }
    if (events & EPOLLOUT) flush(index);
    if (connections_[index].phase == Phase::Closed) return;
    if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) onReadable(index, now);
}

void HttpPublisher::onReadable(std::size_t index, std::int64_t now) {
    Connection& c = connections_[index];
    const ssize_t n = ::recv(c.fd, readBuffer_.data(), readBuffer_.size(), 0);
    if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return;
        drop(index, std::string("recv: ") + std::strerror(errno));
        return;
    }
    if (n == 0) {
        if (c.phase == Phase::Busy && c.reader.finishAtEof() == HttpResponseReader::Status::Complete) {
            onResponse(index, monotonicNs());
        }
        drop(index, c.phase == Phase::Busy ? "server closed mid-request" : "");
        return;
    }
    if (c.phase != Phase::Busy) {
        drop(index, "bytes from server with no request in flight");
        return;
    }
    std::size_t consumed = 0;
    const auto status =
        c.reader.feed(std::string_view(readBuffer_.data(), static_cast<std::size_t>(n)), consumed);
    if (status == HttpResponseReader::Status::Invalid) {
        drop(index, std::string("bad HTTP response: ") + c.reader.problem());
        return;
    }
    if (status == HttpResponseReader::Status::NeedMore) return;
    const bool extra = consumed < static_cast<std::size_t>(n);
    onResponse(index, monotonicNs());
    if (extra) {
        drop(index, "bytes from server after the response");
        return;
    }
    if (!connections_[index].reader.keepAlive()) {
        drop(index, "");
        return;
    }
    pump(now);
}

void HttpPublisher::onResponse(std::size_t index, std::int64_t now) {
    Connection& c = connections_[index];
    const int status = c.reader.status();
    ++statusCounts_[status];
    --inFlight_;
    lastResponseNs_ = now;
    responseLatency_.record(now - c.sentNs);
    scheduledToResponse_.record(now - c.scheduledNs);
    failureStreak_ = 0;
    if (status >= 200 && status < 300) {
        ++accepted_;
        if (ledger_)
            ledger_->recordAccepted(c.eventIndex % config_.channels, c.eventIndex / config_.channels);
    } else {
        ++rejected_;
        if (firstErrorBody_.empty()) firstErrorBody_ = std::to_string(status) + " " + c.reader.body();
    }
    c.phase = Phase::Idle;
}

void HttpPublisher::drop(std::size_t index, const std::string& reason) {
    Connection& c = connections_[index];
    if (!reason.empty()) {
        ++problems_[reason];
        ++failureStreak_;
    }
    if (c.phase == Phase::Busy) {
        --inFlight_;
        ++unanswered_;
    }
    if (c.fd >= 0) close(c.fd);
    c.fd = -1;
    c.phase = Phase::Closed;
    c.outbox.clear();
    const std::int64_t now = monotonicNs();
    if (mayScheduleMore(now) && failureStreak_ < kMaxFailureStreak) {
        ++reconnects_;
        open(index);
    }
}

void HttpPublisher::closeAll() {
    for (auto& c : connections_) {
        if (c.fd >= 0) close(c.fd);
        c.fd = -1;
        c.phase = Phase::Closed;
    }
    timer_.disarm();
}

}  // namespace resound::bench
