#pragma once
// The webhook pipeline of one process: emit() (any thread, never blocks beyond a short lock) gives the
// event its id and puts it in a bounded intake; one router thread applies the leave grace period, each
// target's event types and channel filter, and its batching window, then signs the requests and hands
// them to the target's TargetSender (own threads, bounded queue, retries, order per channel). Embedded
// mode passes the dispatcher to the edge as its WebhookSink; Redis mode feeds it from WebhookWorker,
// with a receipt per event that settles once every request carrying it ended. start()/stop() from one
// thread.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "config/Config.h"
#include "dashboard/DebugTap.h"
#include "webhooks/Batcher.h"
#include "webhooks/EventIds.h"
#include "webhooks/GracePeriodFilter.h"
#include "webhooks/HttpPoster.h"
#include "webhooks/TargetSender.h"
#include "webhooks/WebhookMetrics.h"
#include "webhooks/WebhookSink.h"
#include "webhooks/WebhookSpool.h"

namespace resound::webhooks {

struct DispatcherOptions {
    std::chrono::milliseconds requestTimeout{5000};  // connect, send and receive, per attempt
    std::chrono::milliseconds initialRetryDelay{1000};
    std::chrono::milliseconds maxRetryDelay{60000};
    std::size_t intakeLimit = 100000;  // events waiting for the router thread; beyond: dropped, counted
    std::size_t maxEventsPerRequest = 100;
    std::size_t targetConcurrency = 4;  // requests in flight per target (each its own thread and poster)
    // False when the leave grace period was applied upstream (Redis mode: in Redis, by the edges).
    bool applyGracePeriod = true;
    // stop(): how long requests in flight may take to finish before they are aborted.
    std::chrono::milliseconds stopDrain{3000};
    std::string idPrefix;  // of the event ids this dispatcher assigns; empty = random (tests pin it)
    // Embedded server: keep accepted events in <spoolDir>/webhooks.spool until settled, and send what a
    // previous run left there (WebhookSpool). Empty = memory only.
    std::string spoolDir;
    // Unix milliseconds for time_ms; empty = the system clock. Tests pin it.
    std::function<std::int64_t()> wallClockMs;
    // One poster per target; empty = PocoHttpPoster with requestTimeout. Tests pass fakes.
    std::function<std::unique_ptr<HttpPoster>(const config::WebhookTarget&)> posterFactory;
    // Where each attempt's outcome is reported to the debug console (null: nowhere).
    dashboard::DebugTap* debugTap = nullptr;
    std::string debugNode;  // the node those rows name ("" in the all-in-one server)
};

class WebhookDispatcher final : public WebhookSink {
  public:
    // Throws std::runtime_error when a spool directory is configured and cannot be used.
    explicit WebhookDispatcher(const std::vector<config::AppConfig>& apps, DispatcherOptions options = {});
    ~WebhookDispatcher() override;

    void start();
    // Stops the router and the senders: requests in flight get up to stopDrain to finish, anything
    // still queued, batched or within its grace period is abandoned (requests counted with
    // reason="shutdown"; receipts left unsettled, so in the bundle the events stay in Redis).
    void stop();

    void emit(const config::AppConfig& app, WebhookEvent event) override;
    // For WebhookWorker: the app by id. False when the app is unknown, wants no such event, or the
    // intake is full (the receipt is then let go: settled).
    bool emit(std::string_view appId, WebhookEvent event, std::shared_ptr<EventReceipt> receipt = nullptr);

    bool wants(std::string_view appId, WebhookEvent::Kind kind) const;
    const WebhookMetrics& metrics() const { return metrics_; }
    void appendPrometheus(std::string& out) const { metrics_.appendPrometheus(out); }
    std::size_t targetCount() const { return targets_.size(); }

  private:
    struct Target;
    struct App {
        config::AppConfig config;
        std::uint32_t interest = 0;  // event kinds some target needs (joins too, to cancel held leaves)
        std::vector<std::size_t> targets;
    };

    bool enqueue(std::size_t app, WebhookEvent&& event, std::shared_ptr<EventReceipt>&& receipt);
    void run();
    void spool(std::vector<AppEvent>& arrived);  // router thread
    void route(AppEvent& event, std::chrono::steady_clock::time_point now);
    void flushReady(std::chrono::steady_clock::time_point now);
    std::optional<std::chrono::steady_clock::time_point> nextDue() const;
    Delivery build(const Target& target, std::vector<OutgoingEvent>& events) const;

    DispatcherOptions options_;
    std::vector<App> apps_;
    std::unordered_map<std::string, std::size_t> byId_;
    EventIds ids_;
    WebhookMetrics metrics_;
    std::shared_ptr<WebhookSpool> spool_;  // receipts' callbacks hold it too
    std::vector<std::unique_ptr<Target>> targets_;

    std::mutex intakeMutex_;
    std::condition_variable intakeWake_;
    std::vector<AppEvent> intake_;
    bool stopping_ = false;

    GracePeriodFilter grace_;  // router thread only
    std::thread router_;
};

// The dispatcher for these apps, or nullptr when none has a webhook target.
std::unique_ptr<WebhookDispatcher> makeWebhookDispatcher(const std::vector<config::AppConfig>& apps,
                                                         DispatcherOptions options = {});

}  // namespace resound::webhooks
