// The debug console's webhook rows: each attempt reports every event it carried, delivered (with the
// HTTP status) or failed (status or why); only to a watch whose filter takes the channel and name.
#include <gtest/gtest.h>

#include <mutex>

#include "WebhookTestSupport.h"
#include "dashboard/DebugTap.h"
#include "webhooks/WebhookDispatcher.h"

namespace resound::webhooks::test {
namespace {

using Kind = WebhookEvent::Kind;
using std::chrono::milliseconds;

struct Rows {
    std::mutex mutex;
    std::vector<dashboard::DebugEvent> events;
    std::size_t size() {
        std::lock_guard lock(mutex);
        return events.size();
    }
    std::vector<dashboard::DebugEvent> copy() {
        std::lock_guard lock(mutex);
        return events;
    }
};

bool eventually(const std::function<bool()>& check, milliseconds timeout = milliseconds(5000)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        if (check()) return true;
        std::this_thread::sleep_for(milliseconds(2));
    }
    return check();
}

dashboard::DebugFilter filterOf(std::string app, std::string channel = "", std::string event = "") {
    dashboard::DebugFilter filter;
    filter.appId = std::move(app);
    filter.channel = std::move(channel);
    filter.event = std::move(event);
    return filter;
}

struct TappedDispatcher {
    std::shared_ptr<PostLog> log = std::make_shared<PostLog>();
    dashboard::DebugTap tap;
    std::unique_ptr<WebhookDispatcher> dispatcher;
    config::AppConfig appConfig;

    explicit TappedDispatcher(int batchMs = 0)
        : appConfig(app("app1", {target("http://a/hook", {"channel_occupied", "member_added"}, batchMs)})) {
        DispatcherOptions options;
        options.initialRetryDelay = milliseconds(10);
        options.maxRetryDelay = milliseconds(20);
        options.stopDrain = milliseconds(200);
        options.posterFactory = [this](const config::WebhookTarget&) {
            return std::make_unique<FakePoster>(log);
        };
        options.debugTap = &tap;
        options.debugNode = "monitor-1";
        dispatcher = std::make_unique<WebhookDispatcher>(std::vector<config::AppConfig>{appConfig}, options);
        dispatcher->start();
    }
    ~TappedDispatcher() { dispatcher->stop(); }
    void emit(WebhookEvent e) { dispatcher->emit(appConfig, std::move(e)); }
    std::unique_ptr<dashboard::DebugTap::Watch> watch(dashboard::DebugFilter filter, Rows& rows) {
        return tap.watch(std::move(filter), [&rows](const dashboard::DebugEvent& event) {
            std::lock_guard lock(rows.mutex);
            rows.events.push_back(event);
        });
    }
};

}  // namespace

TEST(WebhookDebugTap, DeliveredRowsPerEventOfABatchWithTheStatus) {
    TappedDispatcher d(50);
    Rows rows;
    auto watching = d.watch(filterOf("app1"), rows);
    d.log->status = [](std::size_t) { return 204; };
    d.emit(event(Kind::ChannelOccupied, "presence-room"));
    d.emit(event(Kind::MemberAdded, "presence-room", "42"));
    ASSERT_TRUE(eventually([&] { return rows.size() == 2; }));
    const auto seen = rows.copy();
    EXPECT_EQ(d.log->count(), 1u) << "one batched request";
    EXPECT_EQ(seen[0].kind, dashboard::DebugEvent::Kind::WebhookDelivered);
    EXPECT_EQ(seen[0].appId, "app1");
    EXPECT_EQ(seen[0].node, "monitor-1");
    EXPECT_EQ(seen[0].channel, "presence-room");
    EXPECT_EQ(seen[0].event, "channel_occupied");
    EXPECT_EQ(seen[0].code, 204);
    EXPECT_EQ(seen[0].detail, "http://a/hook");
    EXPECT_EQ(seen[1].event, "member_added");
}

TEST(WebhookDebugTap, EachFailedAttemptIsARowWithWhy) {
    TappedDispatcher d;
    Rows rows;
    auto watching = d.watch(filterOf("app1", "", "channel_*"), rows);
    auto occupiedAttempts = std::make_shared<std::atomic<int>>(0);
    d.log->statusOf = [occupiedAttempts](const WebhookRequest& request) {
        if (request.body.find("channel_occupied") == std::string::npos) return 200;
        const int attempt = (*occupiedAttempts)++;
        return attempt == 0 ? 503 : attempt == 1 ? 0 : 200;
    };
    d.emit(event(Kind::ChannelOccupied, "orders"));
    d.emit(event(Kind::MemberAdded, "presence-x", "1"));  // not taken by the filter
    ASSERT_TRUE(eventually([&] { return rows.size() >= 3; }));
    ASSERT_TRUE(d.log->waitForAccepted(2));
    std::this_thread::sleep_for(milliseconds(30));
    const auto seen = rows.copy();
    ASSERT_EQ(seen.size(), 3u);
    EXPECT_EQ(seen[0].kind, dashboard::DebugEvent::Kind::WebhookFailed);
    EXPECT_EQ(seen[0].code, 503);
    EXPECT_EQ(seen[0].detail, "http://a/hook: status 503");
    EXPECT_EQ(seen[1].kind, dashboard::DebugEvent::Kind::WebhookFailed);
    EXPECT_EQ(seen[1].code, 0);
    EXPECT_EQ(seen[1].detail, "http://a/hook: connection refused");
    EXPECT_EQ(seen[2].kind, dashboard::DebugEvent::Kind::WebhookDelivered);
    for (const auto& row : seen) EXPECT_EQ(row.event, "channel_occupied");
}

TEST(WebhookDebugTap, NoRowsWithoutAWatch) {
    TappedDispatcher d;
    Rows rows;
    d.emit(event(Kind::ChannelOccupied, "orders"));
    ASSERT_TRUE(d.log->waitForAccepted(1));
    {
        auto otherApp = d.watch(filterOf("app2"), rows);
        d.emit(event(Kind::ChannelOccupied, "orders-2"));
        ASSERT_TRUE(d.log->waitForAccepted(2));
    }
    std::this_thread::sleep_for(milliseconds(20));
    EXPECT_EQ(rows.size(), 0u);
}

}  // namespace resound::webhooks::test
