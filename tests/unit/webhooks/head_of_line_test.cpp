// No head-of-line blocking: a request that keeps failing is retried on its own schedule while later
// requests of the same target flow (bounded concurrency), events of one channel stay in order, and
// every event's receipt settles exactly when its outcome is final (or is abandoned at stop). Fake
// posters, real threads, millisecond timings.
#include <gtest/gtest.h>

#include <algorithm>

#include "WebhookTestSupport.h"
#include "webhooks/WebhookDispatcher.h"

namespace resound::webhooks::test {
namespace {

using Kind = WebhookEvent::Kind;
using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

struct Pipeline {
    std::shared_ptr<PostLog> log = std::make_shared<PostLog>();
    std::vector<config::AppConfig> apps;
    std::unique_ptr<WebhookDispatcher> dispatcher;

    explicit Pipeline(config::AppConfig a, std::size_t concurrency = 4) {
        apps.push_back(std::move(a));
        DispatcherOptions options;
        options.initialRetryDelay = milliseconds(20);
        options.maxRetryDelay = milliseconds(50);
        options.targetConcurrency = concurrency;
        options.stopDrain = milliseconds(500);
        options.idPrefix = "t";
        options.posterFactory = [this](const config::WebhookTarget&) {
            return std::make_unique<FakePoster>(log);
        };
        dispatcher = std::make_unique<WebhookDispatcher>(apps, options);
        dispatcher->start();
    }
    ~Pipeline() { dispatcher->stop(); }

    void emit(WebhookEvent e) { dispatcher->emit(apps[0], std::move(e)); }
    // Through the worker's door: with a receipt that counts its settling.
    void emitWithReceipt(WebhookEvent e, std::atomic<int>& settled) {
        dispatcher->emit(apps[0].id, std::move(e), std::make_shared<EventReceipt>([&settled] { ++settled; }));
    }
    std::vector<std::string> acceptedBodies() {
        std::vector<std::string> bodies;
        for (const auto& r : log->accepted()) bodies.push_back(r.body);
        return bodies;
    }
};

bool eventually(const std::function<bool()>& check, milliseconds timeout = milliseconds(5000)) {
    const auto deadline = Clock::now() + timeout;
    while (Clock::now() < deadline) {
        if (check()) return true;
        std::this_thread::sleep_for(milliseconds(2));
    }
    return check();
}

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

TEST(HeadOfLine, APoisonEventDoesNotDelayAHealthyOneOfAnotherChannel) {
    auto a = app("app1", {target("http://a/", {"channel_occupied"})});
    a.webhookRetryWindowMs = 60000;
    Pipeline p(a);
    p.log->statusOf = [](const WebhookRequest& r) { return contains(r.body, "\"poison\"") ? 500 : 200; };
    p.emit(event(Kind::ChannelOccupied, "poison"));
    ASSERT_TRUE(p.log->waitFor(2));  // failed at least once and is being retried
    const auto sent = Clock::now();
    p.emit(event(Kind::ChannelOccupied, "healthy"));
    ASSERT_TRUE(
        eventually([&] { return p.dispatcher->metrics().app(0).sent.load() == 1; }, milliseconds(2000)));
    EXPECT_LT(Clock::now() - sent, milliseconds(500));
    ASSERT_TRUE(p.log->waitForAccepted(1));
    EXPECT_TRUE(contains(p.acceptedBodies().at(0), "healthy"));
    // The poison event is still retried on its own schedule.
    const std::size_t attempts = p.log->count();
    ASSERT_TRUE(p.log->waitFor(attempts + 2));
}

TEST(HeadOfLine, EventsOfOneChannelStayInOrderBehindARetriedOne) {
    Pipeline p(app("app1", {target("http://a/", {"channel_occupied", "channel_vacated", "cache_miss"})}));
    std::atomic<int> refused{0};
    p.log->statusOf = [&](const WebhookRequest& r) {
        return contains(r.body, "channel_occupied") && refused++ < 3 ? 503 : 200;
    };
    p.emit(event(Kind::ChannelOccupied, "c"));
    p.emit(event(Kind::ChannelVacated, "c"));
    p.emit(event(Kind::CacheMiss, "cache-other"));
    ASSERT_TRUE(eventually([&] { return p.dispatcher->metrics().app(0).sent.load() == 3; }));
    const auto requests = p.log->snapshot();
    std::vector<std::string> order;
    for (const auto& r : requests) {
        for (const char* name : {"channel_occupied", "channel_vacated", "cache_miss"}) {
            if (contains(r.body, name)) order.push_back(name);
        }
    }
    // The other channel went first; the vacated was attempted only after the occupied got its 2xx.
    EXPECT_EQ(order.front(), "channel_occupied");
    EXPECT_LT(std::find(order.begin(), order.end(), "cache_miss") - order.begin(), 3);
    EXPECT_EQ(order.back(), "channel_vacated");
    EXPECT_EQ(std::count(order.begin(), order.end(), "channel_vacated"), 1);
    EXPECT_EQ(std::count(order.begin(), order.end(), "channel_occupied"), 4);
}

TEST(HeadOfLine, ConcurrencyPerTargetIsBounded) {
    Pipeline p(app("app1", {target("http://hang/", {"channel_occupied"})}), 3);
    p.log->hang = true;
    for (int i = 0; i < 10; ++i) p.emit(event(Kind::ChannelOccupied, "c" + std::to_string(i)));
    ASSERT_TRUE(p.log->waitFor(3));
    std::this_thread::sleep_for(milliseconds(100));
    EXPECT_EQ(p.log->count(), 3u);
    EXPECT_EQ(p.dispatcher->metrics().app(0).inFlight.load(), 3);
    EXPECT_EQ(p.dispatcher->metrics().app(0).queued.load(), 7);
    p.log->hang = false;
    ASSERT_TRUE(eventually([&] { return p.dispatcher->metrics().app(0).sent.load() == 10; }));
    EXPECT_EQ(p.dispatcher->metrics().app(0).inFlight.load(), 0);
}

TEST(HeadOfLine, RetriesKeepTheEventIdInBodyAndHeader) {
    Pipeline p(app("app1", {target("http://a/", {"channel_occupied"})}));
    p.log->status = [](std::size_t attempt) { return attempt < 2 ? 500 : 200; };
    p.emit(event(Kind::ChannelOccupied, "c"));
    ASSERT_TRUE(p.log->waitFor(3));
    for (const auto& r : p.log->snapshot()) {
        EXPECT_TRUE(contains(r.body, R"("id":"t-1")")) << r.body;
        const auto id = std::find_if(r.headers.begin(), r.headers.end(),
                                     [](const auto& h) { return h.first == "X-Resound-Webhook-Id"; });
        ASSERT_NE(id, r.headers.end());
        EXPECT_EQ(id->second, "t-1");
    }
}

TEST(Receipts, SettleOnDeliveryOnFinalDropAndWhenNothingIsSent) {
    auto a = app("app1", {target("http://a/", {"channel_occupied", "channel_vacated"})}, 100);
    a.webhookRetryWindowMs = 400;
    Pipeline p(a);
    p.log->statusOf = [](const WebhookRequest& r) { return contains(r.body, "\"doomed\"") ? 500 : 200; };
    std::atomic<int> delivered{0}, dropped{0}, unwanted{0}, cancelled{0};
    p.emitWithReceipt(event(Kind::ChannelOccupied, "ok"), delivered);
    p.emitWithReceipt(event(Kind::ChannelOccupied, "doomed"), dropped);
    p.emitWithReceipt(event(Kind::CacheMiss, "cache-x"), unwanted);    // no target wants it
    p.emitWithReceipt(event(Kind::ChannelVacated, "ok"), cancelled);   // held for the grace ...
    p.emitWithReceipt(event(Kind::ChannelOccupied, "ok"), cancelled);  // ... and cancelled by a return
    EXPECT_TRUE(eventually([&] { return delivered == 1 && unwanted == 1 && cancelled == 2; }));
    EXPECT_TRUE(eventually([&] { return dropped == 1; }));  // once the window ran out
    EXPECT_EQ(p.dispatcher->metrics().dropped(0, DropReason::RetriesExhausted), 1u);
}

TEST(Receipts, StopFinishesTheRequestInFlightAndAbandonsTheRest) {
    auto p = std::make_unique<Pipeline>(app("app1", {target("http://a/", {"channel_occupied"})}), 1);
    p->log->hang = true;
    std::atomic<int> settled{0};
    for (int i = 0; i < 3; ++i)
        p->emitWithReceipt(event(Kind::ChannelOccupied, "c" + std::to_string(i)), settled);
    ASSERT_TRUE(p->log->waitFor(1));
    std::thread release([&] {
        std::this_thread::sleep_for(milliseconds(100));
        p->log->hang = false;  // the request in flight is answered 2xx during the stop
    });
    p->dispatcher->stop();
    release.join();
    EXPECT_EQ(settled, 1);  // the one in flight; the two queued stay unsettled (kept in Redis)
    EXPECT_EQ(p->dispatcher->metrics().app(0).sent.load(), 1u);
    EXPECT_EQ(p->dispatcher->metrics().dropped(0, DropReason::Shutdown), 2u);
    p.reset();
    EXPECT_EQ(settled, 1);
}

TEST(Receipts, AnAbortedRequestAtStopIsAbandonedNotSettled) {
    auto p = std::make_unique<Pipeline>(app("app1", {target("http://a/", {"channel_occupied"})}), 1);
    p->log->hang = true;  // never answers: aborted after stopDrain
    std::atomic<int> settled{0};
    p->emitWithReceipt(event(Kind::ChannelOccupied, "c"), settled);
    ASSERT_TRUE(p->log->waitFor(1));
    p->dispatcher->stop();
    p.reset();
    EXPECT_EQ(settled, 0);
}

}  // namespace
}  // namespace resound::webhooks::test
