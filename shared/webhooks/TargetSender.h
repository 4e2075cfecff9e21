#pragma once
// Delivers one webhook target's requests, in order, on its own thread: a bounded queue (full: the new
// request is dropped and counted), one POST at a time, retries with exponential backoff within the
// app's retry window, then drop and count. A dead or slow receiver therefore holds up only its own
// queue: other targets and apps have their own senders. enqueue(), queued() and stop() from any thread.
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "webhooks/HttpPoster.h"
#include "webhooks/RetrySchedule.h"
#include "webhooks/WebhookMetrics.h"

namespace resound::webhooks {

struct Delivery {
    WebhookRequest request;
    std::size_t events = 0;
    std::chrono::steady_clock::time_point built;  // latency is measured from here
};

class TargetSender {
  public:
    TargetSender(std::size_t app, std::string name, std::unique_ptr<HttpPoster> poster, RetryPolicy retry,
                 std::size_t queueLimit, WebhookMetrics& metrics);
    ~TargetSender();

    void start();
    // Ends the thread after the request in flight (its POST is aborted); the queue is dropped and counted.
    void stop();
    // False (and counted as dropped) when the queue is full.
    bool enqueue(Delivery delivery);
    std::size_t queued() const;

  private:
    void run();
    void deliver(Delivery& delivery);
    bool waitUntil(std::chrono::steady_clock::time_point deadline);  // false: stopping

    const std::size_t app_;
    const std::string name_;  // the URL without credentials, for logs
    std::unique_ptr<HttpPoster> poster_;
    const RetryPolicy retry_;
    const std::size_t queueLimit_;
    WebhookMetrics& metrics_;

    mutable std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<Delivery> queue_;
    bool stopping_ = false;
    bool warnedFull_ = false;  // one warning per overflow streak
    std::thread thread_;
};

// scheme://host[:port]/path of a URL: user info and query (which may carry secrets) left out.
std::string redactedUrl(const std::string& url);

}  // namespace resound::webhooks
