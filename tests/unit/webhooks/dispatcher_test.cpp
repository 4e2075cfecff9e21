// The whole pipeline with fake posters: routing, filters, batching, signing, grace period, retries,
// give-up, bounded queues and isolation between targets. Real threads, millisecond timings.
#include <gtest/gtest.h>

#include <map>

#include "WebhookTestSupport.h"
#include "webhooks/WebhookDispatcher.h"
#include "webhooks/WebhookPayload.h"

namespace resound::webhooks::test {
namespace {

using Kind = WebhookEvent::Kind;
using std::chrono::milliseconds;

// A dispatcher whose targets post into one PostLog per URL.
struct Harness {
    std::map<std::string, std::shared_ptr<PostLog>> logs;
    std::vector<config::AppConfig> apps;
    std::unique_ptr<WebhookDispatcher> dispatcher;

    explicit Harness(std::vector<config::AppConfig> appConfigs, DispatcherOptions options = {})
        : apps(std::move(appConfigs)) {
        for (const auto& a : apps) {
            for (const auto& t : a.webhooks) logs.emplace(t.url, std::make_shared<PostLog>());
        }
        options.initialRetryDelay = milliseconds(10);
        options.maxRetryDelay = milliseconds(40);
        options.wallClockMs = [] { return std::int64_t{1700000000000}; };
        options.idPrefix = "t";
        if (options.stopDrain == DispatcherOptions{}.stopDrain) options.stopDrain = milliseconds(200);
        options.posterFactory = [this](const config::WebhookTarget& t) {
            return std::make_unique<FakePoster>(logs.at(t.url));
        };
        dispatcher = std::make_unique<WebhookDispatcher>(apps, options);
        dispatcher->start();
    }
    ~Harness() { dispatcher->stop(); }

    PostLog& log(const std::string& url) { return *logs.at(url); }
    void emit(std::size_t app, WebhookEvent e) { dispatcher->emit(apps[app], std::move(e)); }
    std::string metricsText() {
        std::string out;
        dispatcher->appendPrometheus(out);
        return out;
    }
    const WebhookMetrics::App& counters(std::size_t app) { return dispatcher->metrics().app(app); }
};

std::string header(const WebhookRequest& r, const std::string& name) {
    for (const auto& [n, v] : r.headers) {
        if (n == name) return v;
    }
    return "<none>";
}

bool eventually(const std::function<bool()>& check, milliseconds timeout = milliseconds(5000)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        if (check()) return true;
        std::this_thread::sleep_for(milliseconds(2));
    }
    return check();
}

TEST(WebhookDispatcher, SendsSignedPusherRequestsWithExtraHeaders) {
    auto t = target("http://a/hook", {"channel_occupied", "member_added"});
    t.headers = {{"Authorization", "Bearer x"}};
    Harness h({app("app1", {t})});
    h.emit(0, event(Kind::ChannelOccupied, "presence-room"));
    h.emit(0, event(Kind::MemberAdded, "presence-room", "42"));
    ASSERT_TRUE(h.log("http://a/hook").waitFor(2));
    const auto requests = h.log("http://a/hook").snapshot();
    EXPECT_EQ(requests[0].url, "http://a/hook");
    EXPECT_EQ(
        requests[0].body,
        R"({"time_ms":1700000000000,"events":[{"name":"channel_occupied","channel":"presence-room","id":"t-1"}]})");
    EXPECT_EQ(
        requests[1].body,
        R"({"time_ms":1700000000000,"events":[{"name":"member_added","channel":"presence-room","user_id":"42","id":"t-2"}]})");
    EXPECT_EQ(header(requests[0], "Content-Type"), "application/json");
    EXPECT_EQ(header(requests[0], "X-Pusher-Key"), "app1-key");
    EXPECT_EQ(header(requests[0], "X-Pusher-Signature"), signature("app1-secret", requests[0].body));
    EXPECT_EQ(header(requests[0], "Authorization"), "Bearer x");
    EXPECT_EQ(header(requests[0], "X-Resound-Webhook-Id"), "t-1");  // one event: its id
    EXPECT_EQ(header(requests[1], "X-Resound-Webhook-Id"), "t-2");
    ASSERT_TRUE(eventually([&] { return h.counters(0).sent.load() == 2; }));
}

TEST(WebhookDispatcher, OnlyWantedEventTypesAndMatchingChannels) {
    auto filtered = target("http://filtered/", {"channel_occupied"});
    filtered.filter.channelNameStartsWith = "private-";
    filtered.filter.channelNameEndsWith = ".orders";
    Harness h({app("app1", {filtered, target("http://all/", {"cache_miss"})})});
    h.emit(0, event(Kind::ChannelOccupied, "private-shop.orders"));
    h.emit(0, event(Kind::ChannelOccupied, "private-shop.users"));
    h.emit(0, event(Kind::ChannelOccupied, "public.orders"));
    h.emit(0, event(Kind::ClientEvent, "private-shop.orders"));  // not wanted by anyone
    h.emit(0, event(Kind::CacheMiss, "cache-x"));
    ASSERT_TRUE(h.log("http://all/").waitFor(1));
    ASSERT_TRUE(h.log("http://filtered/").waitFor(1));
    std::this_thread::sleep_for(milliseconds(50));
    const auto filteredRequests = h.log("http://filtered/").snapshot();
    ASSERT_EQ(filteredRequests.size(), 1u);
    EXPECT_NE(filteredRequests[0].body.find("private-shop.orders"), std::string::npos);
    const auto all = h.log("http://all/").snapshot();
    ASSERT_EQ(all.size(), 1u);
    EXPECT_NE(all[0].body.find("cache_miss"), std::string::npos);
    EXPECT_FALSE(h.dispatcher->wants("app1", Kind::ClientEvent));
    EXPECT_TRUE(h.dispatcher->wants("app1", Kind::CacheMiss));
    EXPECT_FALSE(h.dispatcher->wants("nope", Kind::CacheMiss));
}

TEST(WebhookDispatcher, BatchingPutsEventsOfOneWindowInOneRequest) {
    Harness h({app("app1", {target("http://batch/", {"channel_occupied"}, 100),
                            target("http://single/", {"channel_occupied"})})});
    for (int i = 0; i < 5; ++i) h.emit(0, event(Kind::ChannelOccupied, "c" + std::to_string(i)));
    ASSERT_TRUE(h.log("http://batch/").waitFor(1));
    ASSERT_TRUE(h.log("http://single/").waitFor(5));
    std::this_thread::sleep_for(milliseconds(150));
    const auto batched = h.log("http://batch/").snapshot();
    ASSERT_EQ(batched.size(), 1u);
    EXPECT_EQ(
        batched[0].body,
        R"({"time_ms":1700000000000,"events":[{"name":"channel_occupied","channel":"c0","id":"t-1"},)"
        R"({"name":"channel_occupied","channel":"c1","id":"t-2"},{"name":"channel_occupied","channel":"c2","id":"t-3"},)"
        R"({"name":"channel_occupied","channel":"c3","id":"t-4"},{"name":"channel_occupied","channel":"c4","id":"t-5"}]})");
    const std::vector<std::string> ids{"t-1", "t-2", "t-3", "t-4", "t-5"};
    EXPECT_EQ(header(batched[0], "X-Resound-Webhook-Id"), requestId(ids));
    EXPECT_EQ(requestId(ids).rfind("batch-", 0), 0u);
    EXPECT_EQ(h.log("http://single/").count(), 5u);
    ASSERT_TRUE(
        eventually([&] { return h.counters(0).eventsSent.load() == 10 && h.counters(0).sent.load() == 6; }));
}

TEST(WebhookDispatcher, GracePeriodSwallowsAQuickRejoinAndDelaysARealLeave) {
    Harness h(
        {app("app1",
             {target("http://a/", {"channel_occupied", "channel_vacated", "member_added", "member_removed"})},
             150)});
    h.emit(0, event(Kind::ChannelOccupied, "presence-r"));
    h.emit(0, event(Kind::MemberAdded, "presence-r", "1"));
    ASSERT_TRUE(h.log("http://a/").waitFor(2));
    // A page reload: leave and come back within the grace.
    h.emit(0, event(Kind::MemberRemoved, "presence-r", "1"));
    h.emit(0, event(Kind::ChannelVacated, "presence-r"));
    std::this_thread::sleep_for(milliseconds(30));
    h.emit(0, event(Kind::ChannelOccupied, "presence-r"));
    h.emit(0, event(Kind::MemberAdded, "presence-r", "1"));
    std::this_thread::sleep_for(milliseconds(300));
    EXPECT_EQ(h.log("http://a/").count(), 2u);
    // A real leave: sent once the grace is over, not before.
    const auto left = std::chrono::steady_clock::now();
    h.emit(0, event(Kind::MemberRemoved, "presence-r", "1"));
    h.emit(0, event(Kind::ChannelVacated, "presence-r"));
    ASSERT_TRUE(h.log("http://a/").waitFor(4));
    const auto requests = h.log("http://a/").snapshot();
    EXPECT_NE(requests[2].body.find("member_removed"), std::string::npos);
    EXPECT_NE(requests[3].body.find("channel_vacated"), std::string::npos);
    std::lock_guard lock(h.log("http://a/").mutex);
    EXPECT_GE(h.log("http://a/").times[2] - left, milliseconds(140));
}

TEST(WebhookDispatcher, HeldLeaveIsCancelledEvenWhenTheTargetDoesNotWantJoins) {
    Harness h({app("app1", {target("http://a/", {"channel_vacated"})}, 100)});
    h.emit(0, event(Kind::ChannelVacated, "c"));
    h.emit(0, event(Kind::ChannelOccupied, "c"));
    std::this_thread::sleep_for(milliseconds(250));
    EXPECT_EQ(h.log("http://a/").count(), 0u);
    h.emit(0, event(Kind::ChannelVacated, "c"));
    EXPECT_TRUE(h.log("http://a/").waitFor(1));
}

TEST(WebhookDispatcher, RetriesAFailingReceiverUntilItAccepts) {
    Harness h({app("app1", {target("http://flaky/", {"cache_miss"})})});
    h.log("http://flaky/").status = [](std::size_t attempt) { return attempt < 3 ? 503 : 200; };
    h.emit(0, event(Kind::CacheMiss, "cache-a"));
    ASSERT_TRUE(h.log("http://flaky/").waitFor(4));
    ASSERT_TRUE(eventually([&] { return h.counters(0).sent.load() == 1; }));
    EXPECT_EQ(h.counters(0).failed.load(), 3u);
    EXPECT_EQ(h.counters(0).retried.load(), 3u);
    const auto requests = h.log("http://flaky/").snapshot();
    for (const auto& r : requests) EXPECT_EQ(r.body, requests[0].body);  // the same signed request
    std::lock_guard lock(h.log("http://flaky/").mutex);
    const auto& times = h.log("http://flaky/").times;
    EXPECT_GE(times[1] - times[0], milliseconds(10));  // 10, 20, 40 ms backoff
    EXPECT_GE(times[2] - times[1], milliseconds(20));
    EXPECT_GE(times[3] - times[2], milliseconds(40));
}

TEST(WebhookDispatcher, GivesUpAfterTheRetryWindowAndCountsTheDrop) {
    auto a = app("app1", {target("http://dead/", {"cache_miss"})});
    a.webhookRetryWindowMs = 100;
    Harness h({a});
    h.log("http://dead/").status = [](std::size_t) { return 0; };  // connection refused, always
    h.emit(0, event(Kind::CacheMiss, "cache-a"));
    ASSERT_TRUE(
        eventually([&] { return h.dispatcher->metrics().dropped(0, DropReason::RetriesExhausted) == 1; }));
    const std::size_t attempts = h.log("http://dead/").count();
    EXPECT_GE(attempts, 3u);  // 0, 10, 30, 70 ms (+40 would pass 100 ms)
    EXPECT_LE(attempts, 5u);
    std::this_thread::sleep_for(milliseconds(100));
    EXPECT_EQ(h.log("http://dead/").count(), attempts);  // no more attempts once dropped
    EXPECT_EQ(h.counters(0).sent.load(), 0u);
    EXPECT_NE(
        h.metricsText().find(R"(resound_webhooks_dropped_total{app="app1",reason="retries_exhausted"} 1)"),
        std::string::npos);
}

TEST(WebhookDispatcher, RequestsThatWaitedPastTheWindowAreDroppedWithoutAnAttempt) {
    auto a = app("app1", {target("http://slow/", {"cache_miss"})});
    a.webhookRetryWindowMs = 100;
    Harness h({a});
    h.log("http://slow/").hang = true;
    for (int i = 0; i < 3; ++i) h.emit(0, event(Kind::CacheMiss, "cache-a"));
    ASSERT_TRUE(h.log("http://slow/").waitFor(1));
    std::this_thread::sleep_for(milliseconds(200));
    h.log("http://slow/").hang = false;  // the first request is answered 2xx, late
    ASSERT_TRUE(eventually([&] { return h.dispatcher->metrics().dropped(0, DropReason::Expired) == 2; }));
    EXPECT_EQ(h.log("http://slow/").count(), 1u);
    EXPECT_EQ(h.counters(0).sent.load(), 1u);
    EXPECT_NE(h.metricsText().find(R"(resound_webhooks_dropped_total{app="app1",reason="expired"} 2)"),
              std::string::npos);
}

TEST(WebhookDispatcher, BoundedQueueDropsAndCountsWhileTheReceiverHangs) {
    auto a = app("app1", {target("http://hang/", {"subscription_count"})});
    a.webhookQueueLimit = 3;
    Harness h({a});
    h.log("http://hang/").hang = true;
    for (int i = 0; i < 10; ++i) {
        auto e = event(Kind::SubscriptionCount, "c");
        e.subscriptionCount = static_cast<std::size_t>(i + 1);
        h.emit(0, std::move(e));
        if (i == 0) {
            ASSERT_TRUE(h.log("http://hang/").waitFor(1));  // the first one is in flight
        }
    }
    // One in flight, three queued, six dropped.
    ASSERT_TRUE(eventually([&] { return h.dispatcher->metrics().dropped(0, DropReason::QueueFull) == 6; }));
    EXPECT_EQ(h.counters(0).queued.load(), 3);
    EXPECT_NE(h.metricsText().find(R"(resound_webhooks_queued{app="app1"} 3)"), std::string::npos);
    h.log("http://hang/").hang = false;
    ASSERT_TRUE(eventually([&] { return h.counters(0).sent.load() >= 3; }));
}

TEST(WebhookDispatcher, IntakeIsBoundedToo) {
    DispatcherOptions options;
    options.intakeLimit = 2;
    // Not started: nothing drains the intake.
    std::vector<config::AppConfig> apps{app("app1", {target("http://a/", {"cache_miss"})})};
    options.posterFactory = [](const config::WebhookTarget&) {
        return std::make_unique<FakePoster>(std::make_shared<PostLog>());
    };
    WebhookDispatcher dispatcher(apps, options);
    for (int i = 0; i < 5; ++i) dispatcher.emit(apps[0], event(Kind::CacheMiss, "cache-a"));
    EXPECT_EQ(dispatcher.metrics().app(0).eventsDropped.load(), 3u);
    EXPECT_FALSE(dispatcher.emit("app1", event(Kind::CacheMiss, "cache-a")));
    EXPECT_FALSE(dispatcher.emit("unknown", event(Kind::CacheMiss, "cache-a")));
}

TEST(WebhookDispatcher, ADeadTargetDoesNotDelayAnotherAppsTarget) {
    auto dead = app("dead", {target("http://dead/", {"cache_miss"})});
    auto live = app("live", {target("http://live/", {"cache_miss"})});
    Harness h({dead, live});
    h.log("http://dead/").hang = true;  // a receiver that accepts the connection and never answers
    for (int i = 0; i < 50; ++i) h.emit(0, event(Kind::CacheMiss, "cache-d"));
    ASSERT_TRUE(h.log("http://dead/").waitFor(1));  // its sender is now stuck on the first request
    // The dead receiver never answers, so if it held up the other app this wait could never succeed;
    // the bound only keeps a failure from hanging the suite (no timing is asserted).
    for (int i = 0; i < 20; ++i) h.emit(1, event(Kind::CacheMiss, "cache-l"));
    ASSERT_TRUE(h.log("http://live/").waitFor(20, milliseconds(10000)));
    EXPECT_EQ(h.log("http://dead/").count(), 1u);  // stuck on its first request
}

TEST(WebhookDispatcher, StopAbortsAHangingRequestAndCountsWhatWasQueued) {
    auto a = app("app1", {target("http://hang/", {"cache_miss"})});
    auto h = std::make_unique<Harness>(std::vector<config::AppConfig>{a});
    h->log("http://hang/").hang = true;
    for (int i = 0; i < 4; ++i) h->emit(0, event(Kind::CacheMiss, "cache-a"));
    ASSERT_TRUE(h->log("http://hang/").waitFor(1));
    ASSERT_TRUE(eventually([&] { return h->counters(0).queued.load() == 3; }));
    const auto start = std::chrono::steady_clock::now();
    h->dispatcher->stop();
    // Without the abort, stop() would wait for a request that never ends; 5 s only bounds a failure.
    EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(5000));
    EXPECT_EQ(h->dispatcher->metrics().dropped(0, DropReason::Shutdown), 4u);  // 3 queued + 1 in flight
    EXPECT_EQ(h->counters(0).queued.load(), 0);
}

TEST(WebhookDispatcher, MetricsTextHasEveryFamilyPerApp) {
    Harness h({app("app\"1", {target("http://a/", {"cache_miss"})}), app("app2", {})});
    h.emit(0, event(Kind::CacheMiss, "cache-a"));
    ASSERT_TRUE(eventually([&] { return h.counters(0).sent.load() == 1; }));
    const std::string text = h.metricsText();
    for (const char* family :
         {"resound_webhooks_sent_total", "resound_webhooks_failed_total", "resound_webhooks_retried_total",
          "resound_webhooks_dropped_total", "resound_webhook_events_dropped_total", "resound_webhooks_queued",
          "resound_webhook_delivery_seconds"}) {
        EXPECT_NE(text.find(std::string("# TYPE ") + family), std::string::npos) << family;
    }
    EXPECT_NE(text.find(R"(resound_webhooks_sent_total{app="app\"1"} 1)"), std::string::npos) << text;
    EXPECT_NE(text.find(R"(resound_webhooks_sent_total{app="app2"} 0)"), std::string::npos);
    EXPECT_NE(text.find(R"(resound_webhook_delivery_seconds_count{app="app\"1"} 1)"), std::string::npos);
    EXPECT_NE(text.find(R"(resound_webhook_delivery_seconds_bucket{app="app\"1",le="+Inf"} 1)"),
              std::string::npos);
}

TEST(WebhookDispatcher, FactoryReturnsNothingWithoutTargets) {
    EXPECT_EQ(makeWebhookDispatcher({app("a", {})}), nullptr);
    EXPECT_NE(makeWebhookDispatcher({app("a", {}), app("b", {target("http://b/", {"cache_miss"})})}),
              nullptr);
}

}  // namespace
}  // namespace resound::webhooks::test
