#pragma once
// Delivers one webhook target's requests on a few threads of its own (bounded concurrency, one poster
// each), so a failing request is retried on its own schedule while later ones keep flowing. Order is
// kept per channel: a request starts only when no earlier request sharing a channel with it is still
// pending (in flight or waiting for its retry), so a poison event holds up its own channel only. Each
// request is retried with exponential backoff within the app's retry window (counted from its oldest
// event's creation), then dropped and counted. The queue is bounded (full: the new request is dropped
// and counted). A dead or slow receiver holds up only this target: other targets and apps have their
// own senders. enqueue(), queued(), inFlight() and stop() from any thread.
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "dashboard/DebugTap.h"
#include "webhooks/EventReceipt.h"
#include "webhooks/HttpPoster.h"
#include "webhooks/RetrySchedule.h"
#include "webhooks/WebhookMetrics.h"

namespace resound::webhooks {

struct Delivery {
    WebhookRequest request;
    std::size_t events = 0;
    std::vector<std::string> channels;  // distinct channels of its events: what orders it
    std::vector<std::pair<std::string, std::string>>
        named;  // (channel, webhook name) per event: debug console
    std::vector<std::shared_ptr<EventReceipt>> receipts;
    std::chrono::steady_clock::time_point built;    // latency is measured from here
    std::chrono::steady_clock::time_point created;  // its oldest event's creation: the retry window's start
};

class TargetSender {
  public:
    // One worker thread per poster.
    TargetSender(std::size_t app, std::string name, std::vector<std::unique_ptr<HttpPoster>> posters,
                 RetryPolicy retry, std::size_t queueLimit, WebhookMetrics& metrics,
                 dashboard::DebugTap* debugTap = nullptr, std::string debugNode = {});
    ~TargetSender();

    void start();
    // Starts no further attempt and lets the attempts in flight finish for up to `drain` (then aborts
    // them); every request not delivered by then is abandoned: counted as dropped (shutdown), its
    // events' receipts left unsettled, so in the bundle they stay in Redis for the next sender.
    void stop(std::chrono::milliseconds drain = std::chrono::milliseconds(0));
    // False (and counted as dropped) when the queue is full.
    bool enqueue(Delivery delivery);
    std::size_t queued() const;    // requests pending, in flight included
    std::size_t inFlight() const;  // requests being posted right now

  private:
    using Clock = std::chrono::steady_clock;
    struct Pending {
        Delivery delivery;
        int failures = 0;
        bool inFlight = false;
    };

    void run(std::size_t worker);
    // The lock is held by the callers of these.
    bool isHeadOfItsChannels(std::uint64_t seq, const Pending& pending) const;
    void scheduleIfRunnable(std::uint64_t seq, Clock::time_point due);
    Delivery finish(std::uint64_t seq);  // removes it; its followers may become runnable
    void abandonAll();
    // One debug-console row per event of an attempt (delivered or failed), if a console watches.
    void report(const Delivery& delivery, const PostResult& result) const;

    const std::size_t app_;
    const std::string name_;  // the URL without credentials, for logs
    std::vector<std::unique_ptr<HttpPoster>> posters_;
    const RetryPolicy retry_;
    const std::size_t queueLimit_;
    WebhookMetrics& metrics_;
    dashboard::DebugTap* const debugTap_;
    const std::string debugNode_;

    mutable std::mutex mutex_;
    std::condition_variable wake_;              // work became due, or stopping
    std::condition_variable idle_;              // an attempt ended (stop() waits for the ones in flight)
    std::map<std::uint64_t, Pending> pending_;  // by arrival
    std::unordered_map<std::string, std::deque<std::uint64_t>> byChannel_;  // pending, in arrival order
    std::set<std::pair<Clock::time_point, std::uint64_t>> runnable_;        // due time, seq
    std::uint64_t nextSeq_ = 0;
    std::size_t inFlight_ = 0;
    bool stopping_ = false;
    bool warnedFull_ = false;  // one warning per overflow streak
    std::vector<std::thread> threads_;
};

// scheme://host[:port]/path of a URL: user info and query (which may carry secrets) left out.
std::string redactedUrl(const std::string& url);

}  // namespace resound::webhooks
