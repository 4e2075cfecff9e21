#pragma once
// N WebSocket subscribers, each taken through the Pusher handshake (TCP connect, HTTP upgrade,
// pusher:connection_established, pusher:subscribe, pusher_internal:subscription_succeeded) and then
// receiving benchmark events: latency from the stamp in each event, loss and duplicates through the
// DeliveryLedger. Subscriber i is on channel i % channels. Owned and driven by the loop's thread.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "DeliveryLedger.h"
#include "EventLoop.h"
#include "LatencyHistogram.h"
#include "TcpDialer.h"

namespace resound::bench {

struct FleetConfig {
    std::string hostHeader;  // "127.0.0.1:port"
    std::string appKey;
    std::size_t subscribers = 0;
    std::size_t channels = 1;
    std::string channelPrefix = "bench-";
    std::string eventName = "bench-event";
    std::size_t connectConcurrency = 256;  // handshakes in progress at once
};

class SubscriberFleet {
  public:
    SubscriberFleet(EventLoop& loop, TcpDialer& dialer, const FleetConfig& config, DeliveryLedger& ledger);
    ~SubscriberFleet();
    SubscriberFleet(const SubscriberFleet&) = delete;
    SubscriberFleet& operator=(const SubscriberFleet&) = delete;

    // Starts handshakes until the concurrency cap is reached or every subscriber was started.
    void startConnections(std::int64_t now);
    void onEvent(std::size_t index, std::uint32_t events, std::int64_t now);
    // Ends every handshake still in progress (counted as timed out).
    void abandonPending();
    void closeAll();

    bool allStarted() const { return nextToStart_ >= subscribers_.size(); }
    std::size_t inProgress() const { return inProgress_; }
    std::size_t subscribedCount() const { return subscribed_; }
    std::size_t failedCount() const { return failed_; }
    // Subscribers that left the Subscribed state (closed by the server, errors) after subscribing.
    std::size_t droppedAfterSubscribe() const { return dropped_; }
    bool isSubscribed(std::size_t index) const;
    std::vector<std::uint32_t> channelOfEach() const;
    // Subscribers that completed the subscription (whatever happened later).
    std::vector<bool> everSubscribed() const;

    const LatencyHistogram& connectToEstablished() const { return connectToEstablished_; }
    const LatencyHistogram& connectToSubscribed() const { return connectToSubscribed_; }
    // The same as raw samples, in completion order: several load generators' samples can be merged
    // into exact percentiles, which their histograms' percentiles cannot.
    const std::vector<std::int64_t>& subscribeLatenciesNs() const { return subscribeLatencies_; }
    const LatencyHistogram& deliveryLatency() const { return deliveryLatency_; }
    // Stamp -> the kernel's receive timestamp of the segment (SO_TIMESTAMPNS): leaves out the time
    // a frame waited in the socket while this single thread served other sockets.
    const LatencyHistogram& kernelDeliveryLatency() const { return kernelDeliveryLatency_; }
    // Problems by reason ("connect: Connection refused", "close 4100", ...), with counts.
    const std::map<std::string, std::uint64_t>& problems() const { return problems_; }
    std::uint64_t pingsAnswered() const { return pingsAnswered_; }
    std::uint64_t otherEvents() const { return otherEvents_; }
    std::uint64_t badStamps() const { return badStamps_; }

  private:
    enum class Phase : std::uint8_t {
        NotStarted,
        Connecting,
        Upgrading,
        AwaitEstablished,
        AwaitSubscribed,
        Subscribed,
        Closed
    };

    struct Subscriber {
        int fd = -1;
        Phase phase = Phase::NotStarted;
        bool everSubscribed = false;
        bool wantsWrite = false;
        std::int64_t startedNs = 0;
        std::string inbox;      // bytes not yet parsed (partial frame or response head)
        std::string outbox;     // bytes the socket did not take yet
        std::string fragments;  // a fragmented message being assembled
    };

    void startOne(std::size_t index, std::int64_t now);
    void onWritable(std::size_t index, std::int64_t now);
    void onReadable(std::size_t index, std::int64_t now);
    void consume(std::size_t index, std::string_view bytes, std::int64_t now);
    // Parses frames from `bytes`; returns how many bytes were used (the rest is a partial frame).
    std::size_t consumeFrames(std::size_t index, std::string_view bytes, std::int64_t now);
    void onMessage(std::size_t index, std::string_view text, std::int64_t now);
    void send(std::size_t index, std::string bytes);
    void updateInterest(std::size_t index);
    void fail(std::size_t index, const std::string& reason);
    void noteProblem(const std::string& reason) { ++problems_[reason]; }
    std::string keyFor(std::size_t index) const;
    std::string channelName(std::size_t index) const;
    std::uint32_t nextMask();

    EventLoop& loop_;
    TcpDialer& dialer_;
    FleetConfig config_;
    DeliveryLedger& ledger_;
    std::vector<Subscriber> subscribers_;
    std::vector<std::string> channelNames_;
    std::string target_;
    std::size_t nextToStart_ = 0;
    std::size_t inProgress_ = 0;
    std::size_t subscribed_ = 0;
    std::size_t failed_ = 0;
    std::size_t dropped_ = 0;
    std::uint64_t pingsAnswered_ = 0;
    std::uint64_t otherEvents_ = 0;
    std::uint64_t badStamps_ = 0;
    std::uint64_t rng_ = 0x9E3779B97F4A7C15ull;
    std::string scratch_;
    std::string readBuffer_;
    LatencyHistogram connectToEstablished_;
    LatencyHistogram connectToSubscribed_;
    std::vector<std::int64_t> subscribeLatencies_;
    LatencyHistogram deliveryLatency_;
    LatencyHistogram kernelDeliveryLatency_;
    std::int64_t realtimeOffsetNs_ = 0;
    std::int64_t kernelReceivedNs_ = 0;  // of the read being processed, monotonic; 0 if unknown
    std::map<std::string, std::uint64_t> problems_;
};

}  // namespace resound::bench
