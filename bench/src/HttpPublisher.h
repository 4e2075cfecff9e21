#pragma once
// Publishes events through the HTTP API (POST /apps/{id}/events, signed per docs/protocol.md §2.1) over a
// few keep-alive connections, one request in flight per connection. Paced mode sends event i at
// start + i/rate from a single deadline timer; closed-loop mode (rate 0) sends as soon as a
// connection is free. Event i goes to channel i % channels with per-channel sequence i / channels,
// and carries {"t": send time, "s": sequence} as its data. Owned and driven by the loop's thread.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "DeliveryLedger.h"
#include "EventLoop.h"
#include "HttpResponseReader.h"
#include "LatencyHistogram.h"
#include "PublishRequest.h"
#include "TcpDialer.h"

namespace resound::bench {

struct PublisherConfig {
    std::string hostHeader;
    std::string appId;
    std::string appKey;
    std::string appSecret;
    std::size_t connections = 4;
    double rate = 100;                     // events per second in total; 0 = closed loop
    std::int64_t durationNs = 0;           // no event is scheduled at or after start + duration
    std::uint64_t maxEvents = 10'000'000;  // hard bound on requests
    std::size_t channels = 1;
    std::string channelPrefix = "bench-";
    std::string eventName = "bench-event";
    std::size_t batch = 1;  // events per request; > 1 posts batch_events (no delivery accounting)
};

class HttpPublisher {
  public:
    HttpPublisher(EventLoop& loop, TcpDialer& dialer, const PublisherConfig& config, DeliveryLedger* ledger);
    ~HttpPublisher();
    HttpPublisher(const HttpPublisher&) = delete;
    HttpPublisher& operator=(const HttpPublisher&) = delete;

    // Opens the connections; they are usable once readyConnections() == connections.
    void connect();
    std::size_t readyConnections() const;
    void start(std::int64_t now);
    void onEvent(std::size_t index, std::uint32_t events, std::int64_t now);
    void onTimer(std::int64_t now);
    // No more events will be scheduled and no request is in flight.
    bool finished(std::int64_t now) const;
    // Every connection is closed and none will be reopened: nothing more can happen.
    bool stalled() const;
    void closeAll();

    int timerFd() const { return timer_.fd(); }

    std::uint64_t sent() const { return sent_; }
    std::uint64_t accepted() const { return accepted_; }
    std::uint64_t rejected() const { return rejected_; }
    std::uint64_t unanswered() const { return unanswered_; }
    std::uint64_t reconnects() const { return reconnects_; }
    // Events planned inside the window that were never sent because every connection was still
    // waiting for an answer when the window closed (paced mode only).
    std::uint64_t skipped() const;
    const std::map<int, std::uint64_t>& statusCounts() const { return statusCounts_; }
    const std::string& firstErrorBody() const { return firstErrorBody_; }
    const std::map<std::string, std::uint64_t>& problems() const { return problems_; }
    std::int64_t startNs() const { return startNs_; }
    std::int64_t lastResponseNs() const { return lastResponseNs_; }

    // Write -> complete response.
    const LatencyHistogram& responseLatency() const { return responseLatency_; }
    // Scheduled send time -> write (how far the publisher fell behind its schedule).
    const LatencyHistogram& scheduleLag() const { return scheduleLag_; }
    // Scheduled send time -> complete response (latency without coordinated omission).
    const LatencyHistogram& scheduledToResponse() const { return scheduledToResponse_; }

  private:
    enum class Phase : std::uint8_t { Closed, Connecting, Idle, Busy };

    struct Connection {
        int fd = -1;
        Phase phase = Phase::Closed;
        bool wantsWrite = false;
        std::string outbox;
        HttpResponseReader reader;
        std::uint64_t eventIndex = 0;
        std::int64_t scheduledNs = 0;
        std::int64_t sentNs = 0;
    };

    void open(std::size_t index);
    void pump(std::int64_t now);
    bool mayScheduleMore(std::int64_t now) const;
    std::int64_t scheduledTimeOf(std::uint64_t eventIndex) const;
    void sendEvent(std::size_t index, std::uint64_t eventIndex, std::int64_t scheduledNs, std::int64_t now);
    void flush(std::size_t index);
    void onReadable(std::size_t index, std::int64_t now);
    void onResponse(std::size_t index, std::int64_t now);
    void drop(std::size_t index, const std::string& reason);
    void updateInterest(std::size_t index);

    EventLoop& loop_;
    TcpDialer& dialer_;
    PublisherConfig config_;
    DeliveryLedger* ledger_;
    DeadlineTimer timer_;
    std::vector<Connection> connections_;
    std::vector<std::string> channelNames_;
    PublishTarget target_;
    // Batch requests carry no delivery stamps, so one signed request per first channel is reused for
    // the whole second its signature's auth_timestamp names: the generator's own CPU per request
    // stays small next to the server's (what the multicore scenario needs).
    std::vector<std::string> batchRequests_;
    std::int64_t batchRequestsSecond_ = -1;
    std::string readBuffer_;
    std::int64_t startNs_ = 0;
    std::int64_t lastResponseNs_ = 0;
    bool started_ = false;
    std::uint64_t nextEvent_ = 0;
    std::uint64_t sent_ = 0;
    std::uint64_t accepted_ = 0;
    std::uint64_t rejected_ = 0;
    std::uint64_t unanswered_ = 0;
    std::uint64_t reconnects_ = 0;
    std::uint64_t failureStreak_ = 0;
    std::size_t inFlight_ = 0;
    std::map<int, std::uint64_t> statusCounts_;
    std::map<std::string, std::uint64_t> problems_;
    std::string firstErrorBody_;
    LatencyHistogram responseLatency_;
    LatencyHistogram scheduleLag_;
    LatencyHistogram scheduledToResponse_;
};

}  // namespace resound::bench
