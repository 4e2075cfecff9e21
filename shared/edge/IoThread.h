#pragma once
// One I/O thread: an epoll loop with its own SO_REUSEPORT listening socket, the connections it
// accepted, and the Pusher protocol state for them. Nothing here is shared with other IoThreads;
// bus messages arrive through a locked inbox and an eventfd wake-up (or, when this loop published
// them itself, a lock-free local inbox). Only enqueueBus(), requestShutdown(), stop() and the
// counters may be used from other threads.
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "api/LoopBackend.h"
#include "apps/AppRegistry.h"
#include "bus/Bus.h"
#include "bus/InterestFilter.h"
#include "bus/InterestTrackingBus.h"
#include "config/Config.h"
#include "edge/AddressLimiter.h"
#include "edge/BackendPublishingBus.h"
#include "edge/Connection.h"
#include "edge/FlushQueue.h"
#include "edge/HttpRouter.h"
#include "loop/EventLoop.h"
#include "metrics/Metrics.h"
#include "pusher/ProtocolHandler.h"
#include "service/HttpService.h"
#include "state/ClusterState.h"
#include "state/LoopClusterState.h"

namespace resound::edge {

struct EdgeContext {
    const config::Config& config;
    const apps::AppRegistry& apps;
    state::ClusterState& state;
    bus::Bus& bus;
    metrics::Metrics& metrics;
    HttpRouter& router;
    std::atomic<std::size_t>& totalConnections;  // every IoThread's accepted sockets
    std::size_t maxConnections;                  // process-wide cap (from config or the fd limit)
    AddressLimiter& addressLimiter;              // server.max_connections_per_ip
    webhooks::WebhookSink* webhooks = nullptr;   // optional
    dashboard::DebugTap* debugTap = nullptr;     // optional: the debug console's events
    // Optional: the dashboard's server. Requests for /dashboard... are handed over to it with their
    // connection (the SSE stream holds it open), so this loop only pays a path check for them.
    service::HttpService* dashboard = nullptr;
    std::function<void()> loopThreadInit{};  // optional: runs first on each loop's thread
    // Optional (Redis mode): the loop's asynchronous view of the cluster state, on its own connection.
    // Without it the protocol calls `state` and is answered at once.
    std::function<std::unique_ptr<state::LoopClusterState>(loop::EventLoop&)> loopStateFactory{};
    // Optional (Redis mode): the loop's link to the cluster, its own pipelined Redis connection. The
    // loop's publishes go there: the HTTP API's (answered when Redis acknowledged them) and the
    // protocol's (client events, presence changes, subscription counts; nobody waits for them); so do
    // the HTTP API's GET reads. Without it both publish on `bus` and the API reads ClusterState.
    std::function<std::unique_ptr<api::LoopBackend>(loop::EventLoop&)> loopBackendFactory{};
};

class IoThread final : public pusher::PeerTransport {
  public:
    IoThread(EdgeContext context, std::size_t index, int listenFd);
    ~IoThread() override;

    void start();
    void requestShutdown();  // any thread: stop accepting, tell clients to reconnect (4200)
    void stop();             // any thread: end the loop and join
    void enqueueBus(const bus::BusMessagePtr& message);  // any thread
    // Any thread: connections closed because epoll could not register them (the loop's own count).
    std::uint64_t registrationFailures() const { return loop_.registrationFailures(); }

    // PeerTransport
    void send(pusher::Peer& peer, const pusher::SharedFrame& frame) override;
    void close(pusher::Peer& peer, std::uint16_t code, std::string_view reason) override;

    void onConnectionEvent(Connection& connection, std::uint32_t events);

  private:
    class Acceptor;
    class FrameAdapter;

    void acceptAll();
    void readFrom(Connection& c);
    void handleHttpBytes(Connection& c, char* data, std::size_t length);
    void upgrade(Connection& c, const http::Request& request, char* rest, std::size_t restLength);
    void handOffToDashboard(Connection& c, const http::Request& request, const char* rest,
                            std::size_t restLength);
    void detach(Connection& c);  // forgets a connection whose socket another server now serves
    void handleWebSocketBytes(Connection& c, char* data, std::size_t length);
    void respond(Connection& c, const HttpResponse& response, bool keepAlive);
    // The answer to a request that waited for the loop's backend; nothing if its connection is gone.
    void answerArrived(std::uint32_t ticket, bool requestKeepAlive, HttpResponse response);
    void forgetAwaitedAnswer(Connection& c);
    // Urgent: an answer the peer is waiting for (HTTP response, handshake, close frame); written
    // this iteration. Fair: broadcasts and Pusher replies, written in FlushQueue's time-sliced FIFO.
    enum class Urgency : std::uint8_t { Urgent, Fair };
    void enqueue(Connection& c, pusher::SharedFrame bytes, Urgency urgency);
    void schedule(Connection& c, Urgency urgency);  // bytes were queued: put c on the flush list
    void pauseReading(Connection& c, const char* unparsed, std::size_t unparsedLength);
    void resumeReading(Connection& c);
    void updatePollEvents(Connection& c);
    void registrationFailed(Connection& c, const char* operation);
    void flush(Connection& c);
    void closeWebSocket(Connection& c, std::uint16_t code, std::string_view reason);
    void slowConsumer(Connection& c);
    void teardown(Connection& c);
    void afterEvents();
    void deliverLocalInbox();
    void freeUnreferencedConnections();
    void tick();
    std::uint32_t secondsNow() const;

    EdgeContext ctx_;
    std::size_t index_;
    int listenFd_;
    bool listening_ = false;
    bool acceptPaused_ = false;  // out of file descriptors: accept resumes on the next tick
    bool draining_ = false;
    metrics::LoopCounters& counters_;
    loop::EventLoop loop_;
    std::unique_ptr<Acceptor> acceptor_;
    bus::InterestFilter interest_;      // channels this loop has subscribers for; read by publishers
    bus::InterestTrackingBus loopBus_;  // the process's bus, keeping interest_ up to date
    std::unique_ptr<state::LoopClusterState> loopState_;  // null: the protocol uses ctx_.state
    std::unique_ptr<api::LoopBackend> backend_;           // null: the API publishes on ctx_.bus
    std::unique_ptr<BackendPublishingBus> backendBus_;    // with a backend: the protocol's publishes go there
    pusher::ProtocolHandler protocol_;
    std::vector<std::unique_ptr<Connection>> connections_;
    std::vector<std::unique_ptr<Connection>> graveyard_;  // freed once no FlushQueue entry refers to them
    // HTTP requests whose answers wait for the loop's backend, by Connection::awaitedTicket; a
    // connection leaves this map when it is torn down, so a late answer is dropped.
    std::unordered_map<std::uint32_t, Connection*> awaited_;
    std::uint32_t nextTicket_ = 0;
    FlushQueue<Connection> flushQueue_;  // connections with bytes to write
    std::mutex inboxMutex_;
    std::vector<bus::BusMessagePtr> inbox_;
    std::vector<bus::BusMessagePtr> delivering_;
    std::atomic<std::thread::id> loopThread_{};   // set once the loop runs
    std::vector<bus::BusMessagePtr> localInbox_;  // published on the loop's own thread
    std::vector<bus::BusMessagePtr> localDelivering_;
    std::vector<char> readBuffer_;
    std::chrono::steady_clock::time_point startedAt_;
    std::uint32_t now_ = 1;
    std::thread thread_;
};

}  // namespace resound::edge
