#pragma once
// Fakes for the webhook tests: a poster that records requests and answers as told, and app configs.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "config/Config.h"
#include "webhooks/HttpPoster.h"
#include "webhooks/WebhookSink.h"

namespace resound::webhooks::test {

// Shared between a test and the poster the dispatcher owns.
struct PostLog {
    std::mutex mutex;
    std::condition_variable changed;
    std::vector<WebhookRequest> requests;  // every attempt, in order
    std::vector<std::chrono::steady_clock::time_point> times;
    std::vector<int> statuses;  // the answer to each attempt, once given (0: none)
    // Status for the n-th attempt (0-based); default 200.
    std::function<int(std::size_t attempt)> status = [](std::size_t) { return 200; };
    // When set, decides instead of `status` (e.g. a receiver that refuses one event only).
    std::function<int(const WebhookRequest&)> statusOf;
    std::atomic<bool> hang{false};  // post() blocks until abort() or hang is cleared

    std::size_t count() {
        std::lock_guard lock(mutex);
        return requests.size();
    }
    // Waits (bounded) until at least n attempts were made.
    bool waitFor(std::size_t n, std::chrono::milliseconds timeout = std::chrono::milliseconds(5000)) {
        std::unique_lock lock(mutex);
        return changed.wait_for(lock, timeout, [&] { return requests.size() >= n; });
    }
    // Waits (bounded) until at least n attempts were answered with 2xx.
    bool waitForAccepted(std::size_t n, std::chrono::milliseconds timeout = std::chrono::milliseconds(5000)) {
        std::unique_lock lock(mutex);
        return changed.wait_for(lock, timeout, [&] {
            std::size_t ok = 0;
            for (const int s : statuses) ok += s >= 200 && s < 300 ? 1 : 0;
            return ok >= n;
        });
    }
    // The requests answered with 2xx.
    std::vector<WebhookRequest> accepted() {
        std::lock_guard lock(mutex);
        std::vector<WebhookRequest> out;
        for (std::size_t i = 0; i < requests.size() && i < statuses.size(); ++i) {
            if (statuses[i] >= 200 && statuses[i] < 300) out.push_back(requests[i]);
        }
        return out;
    }
    std::vector<WebhookRequest> snapshot() {
        std::lock_guard lock(mutex);
        return requests;
    }
};

class FakePoster final : public HttpPoster {
  public:
    explicit FakePoster(std::shared_ptr<PostLog> log) : log_(std::move(log)) {}

    PostResult post(const WebhookRequest& request) override {
        std::size_t attempt;
        {
            std::lock_guard lock(log_->mutex);
            attempt = log_->requests.size();
            log_->requests.push_back(request);
            log_->times.push_back(std::chrono::steady_clock::now());
        }
        log_->changed.notify_all();
        for (int i = 0; i < 10000 && log_->hang && !aborted_; ++i) {
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
        if (aborted_ || log_->hang) return PostResult{0, "aborted"};
        const int status = log_->statusOf ? log_->statusOf(request) : log_->status(attempt);
        {
            std::lock_guard lock(log_->mutex);
            log_->statuses.resize(log_->requests.size());
            log_->statuses[attempt] = status;
        }
        log_->changed.notify_all();
        return PostResult{status, status == 0 ? "connection refused" : ""};
    }
    void abort() override { aborted_ = true; }

  private:
    std::shared_ptr<PostLog> log_;
    std::atomic<bool> aborted_{false};
};

inline config::WebhookTarget target(std::string url, std::vector<std::string> events, int batchMs = 0) {
    config::WebhookTarget t;
    t.url = std::move(url);
    t.eventTypes = std::move(events);
    t.batchMs = batchMs;
    return t;
}

inline config::AppConfig app(std::string id, std::vector<config::WebhookTarget> targets, int graceMs = 0) {
    config::AppConfig a;
    a.id = id;
    a.key = id + "-key";
    a.secret = id + "-secret";
    a.webhooks = std::move(targets);
    a.webhookGraceMs = graceMs;
    return a;
}

inline WebhookEvent event(WebhookEvent::Kind kind, std::string channel, std::string userId = {}) {
    WebhookEvent e;
    e.kind = kind;
    e.channel = std::move(channel);
    e.userId = std::move(userId);
    return e;
}

}  // namespace resound::webhooks::test
