#pragma once
// The bundle's debug console over Redis. Consoles watch resound-monitor's DebugTap; while they do, the
// monitor's DebugRelayCollector keeps their filters in Redis (HASH resound:debug:watch, one field per
// monitor, refreshed every 2 s, deleted when its last console closes) and SUBSCRIBEs to
// resound:debug:events, re-emitting every event it receives into that tap. Each edge and api node runs
// a DebugRelay: it polls the hash (~1 s), installs the matching watches on its own tap, whose sinks
// only enqueue (bounded: dropped and counted when full), and PUBLISHes batches of toJson lines. With
// nobody watching a node does one HGETALL a second and its tap stays inactive. Both run on threads of
// their own; nothing here touches an event loop except the sinks' enqueue.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "dashboard/DebugEvent.h"
#include "dashboard/DebugFilter.h"
#include "dashboard/DebugTap.h"
#include "redis/ConnectionOptions.h"

namespace resound::redis {
class CommandClient;
class Subscriber;
}  // namespace resound::redis

namespace resound::dashboard {

// One monitor's registration: {"updated_ms":..,"filters":[{"app":..,"channel":..,"event":..},..]}.
std::string encodeWatchRegistration(const std::vector<DebugFilter>& filters, std::int64_t updatedMs);
// The usable filters of every registration updated at or after `freshSinceMs` (a monitor that died
// without deleting its field stops counting after the stale time).
std::vector<DebugFilter> decodeWatchRegistrations(const std::vector<std::string>& values,
                                                  std::int64_t freshSinceMs);
// What a node installs: one filter per app, the consoles' own when they all agree, the whole app
// otherwise. One watch per app ships an event once however many consoles take it; the monitor's tap
// then applies each console's filter.
std::vector<DebugFilter> relayFilters(const std::vector<DebugFilter>& filters);
bool sameFilters(const std::vector<DebugFilter>& a, const std::vector<DebugFilter>& b);

// A batch on the wire: toJson lines joined by '\n' (JSON text escapes newlines, so none is inside).
std::vector<DebugEvent> decodeEventBatch(std::string_view payload);

struct RelayOptions {
    std::chrono::milliseconds pollInterval{1000};
    std::chrono::milliseconds staleAfter{10000};  // registrations older than this are ignored
    std::size_t queueLimit = 10000;               // events waiting to be published; beyond: dropped
    std::size_t batchLimit = 256;                 // events per PUBLISH
};

// Node side (resound-edge, resound-api). start()/stop() from one thread; counters from any.
class DebugRelay {
  public:
    using NodeId = std::function<std::string()>;  // stamped on events that carry no node yet

    DebugRelay(std::shared_ptr<redis::CommandClient> redis, DebugTap& tap, NodeId nodeId,
               RelayOptions options = {});
    ~DebugRelay();  // stops
    DebugRelay(const DebugRelay&) = delete;
    DebugRelay& operator=(const DebugRelay&) = delete;

    void start();
    void stop();

    std::uint64_t published() const { return published_.load(std::memory_order_relaxed); }
    std::uint64_t dropped() const { return dropped_.load(std::memory_order_relaxed); }
    std::size_t installedWatches() const { return installedCount_.load(std::memory_order_relaxed); }
    void appendPrometheus(std::string& out) const;

  private:
    void run();
    void poll();                                   // relay thread
    void publish(std::vector<DebugEvent>& batch);  // relay thread
    void enqueue(const DebugEvent& event);         // a sink: any (loop) thread

    std::shared_ptr<redis::CommandClient> redis_;
    DebugTap& tap_;
    NodeId nodeId_;
    RelayOptions options_;

    std::vector<DebugFilter> installed_;                     // relay thread
    std::vector<std::unique_ptr<DebugTap::Watch>> watches_;  // relay thread
    std::atomic<std::size_t> installedCount_{0};

    std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<DebugEvent> queue_;
    bool stopping_ = false;
    std::thread thread_;

    std::atomic<std::uint64_t> published_{0};
    std::atomic<std::uint64_t> dropped_{0};
};

struct CollectorOptions {
    std::chrono::milliseconds checkInterval{250};     // how soon a console opening or closing is registered
    std::chrono::milliseconds refreshInterval{2000};  // heartbeat of a registration that did not change
    std::chrono::milliseconds keyTtl{10000};          // EXPIRE of the whole hash (every monitor gone)
};

// Monitor side. start()/stop() from one thread; counters from any.
class DebugRelayCollector {
  public:
    DebugRelayCollector(std::shared_ptr<redis::CommandClient> redis,
                        redis::ConnectionOptions subscriberConnection, DebugTap& tap, std::string monitorId,
                        CollectorOptions options = {});
    ~DebugRelayCollector();  // stops
    DebugRelayCollector(const DebugRelayCollector&) = delete;
    DebugRelayCollector& operator=(const DebugRelayCollector&) = delete;

    void start();
    void stop();  // deletes this monitor's registration

    std::uint64_t received() const { return received_.load(std::memory_order_relaxed); }
    bool registered() const { return registered_.load(std::memory_order_relaxed); }

  private:
    void run();
    bool write(const std::vector<DebugFilter>& filters);  // collector thread; false if Redis failed

    std::shared_ptr<redis::CommandClient> redis_;
    redis::ConnectionOptions subscriberConnection_;
    DebugTap& tap_;
    std::string monitorId_;
    CollectorOptions options_;

    std::unique_ptr<redis::Subscriber> subscriber_;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    std::thread thread_;

    std::atomic<std::uint64_t> received_{0};
    std::atomic<bool> registered_{false};
};

}  // namespace resound::dashboard
