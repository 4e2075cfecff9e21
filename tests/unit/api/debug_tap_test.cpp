// The debug console's ApiEvent rows: one per channel an API publish reached, with the event name,
// data size, excluded socket_id and a preview; nothing without a watch, only what the filter takes.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "ApiTestSupport.h"
#include "dashboard/DebugTap.h"

using namespace resound;
using namespace resound::api::test;

namespace {

dashboard::DebugFilter filterOf(std::string app, std::string channel = "", std::string event = "") {
    dashboard::DebugFilter filter;
    filter.appId = std::move(app);
    filter.channel = std::move(channel);
    filter.event = std::move(event);
    return filter;
}

struct ApiDebugTap : ApiFixture {
    dashboard::DebugTap tap;
    std::vector<dashboard::DebugEvent> seen;

    ApiDebugTap() { handler.setDebugTap(&tap); }

    std::unique_ptr<dashboard::DebugTap::Watch> watch(dashboard::DebugFilter filter) {
        return tap.watch(std::move(filter),
                         [this](const dashboard::DebugEvent& event) { seen.push_back(event); });
    }
};

}  // namespace

TEST_F(ApiDebugTap, EventsEmitsOneApiEventPerChannelWithItsFields) {
    auto watching = watch(filterOf("3"));
    const auto response = post(
        "/apps/3/events", R"({"name":"order-shipped","channels":["orders","private-a"],"data":"{\"id\":7}",)"
                          R"("socket_id":"123.456"})");
    ASSERT_EQ(response.status, 200) << response.body;
    ASSERT_EQ(seen.size(), 2u);
    const char* channels[] = {"orders", "private-a"};
    for (std::size_t i = 0; i < 2; ++i) {
        EXPECT_EQ(seen[i].kind, dashboard::DebugEvent::Kind::ApiEvent);
        EXPECT_EQ(seen[i].appId, "3");
        EXPECT_EQ(seen[i].node, "");
        EXPECT_EQ(seen[i].channel, channels[i]);
        EXPECT_EQ(seen[i].event, "order-shipped");
        EXPECT_EQ(seen[i].socketId, "123.456");
        EXPECT_EQ(seen[i].bytes, 8u);
        EXPECT_EQ(seen[i].detail, R"({"id":7})");
        EXPECT_GT(seen[i].timeMs, 1'600'000'000'000);
    }
}

TEST_F(ApiDebugTap, BatchEventsEmitsEachEventAndTheFilterNarrowsThem) {
    auto watching = watch(filterOf("3", "orders-*", "ship*"));
    const auto response =
        post("/apps/3/batch_events", R"({"batch":[{"name":"shipped","channel":"orders-1","data":"a"},)"
                                     R"({"name":"paid","channel":"orders-1","data":"b"},)"
                                     R"({"name":"shipped","channel":"users","data":"c"},)"
                                     R"({"name":"shipping","channel":"orders-2","data":"dd"}]})");
    ASSERT_EQ(response.status, 200) << response.body;
    ASSERT_EQ(seen.size(), 2u);
    EXPECT_EQ(seen[0].channel, "orders-1");
    EXPECT_EQ(seen[0].event, "shipped");
    EXPECT_EQ(seen[0].socketId, "");
    EXPECT_EQ(seen[1].channel, "orders-2");
    EXPECT_EQ(seen[1].event, "shipping");
    EXPECT_EQ(seen[1].bytes, 2u);
}

TEST_F(ApiDebugTap, NothingWithoutAWatchOrForAnotherApp) {
    ASSERT_EQ(post("/apps/3/events", R"({"name":"e","channel":"orders","data":"x"})").status, 200);
    EXPECT_TRUE(seen.empty());
    {
        auto watching = watch(filterOf("other"));
        ASSERT_EQ(post("/apps/3/events", R"({"name":"e","channel":"orders","data":"x"})").status, 200);
    }
    auto closedAgain = watch(filterOf("3"));
    closedAgain.reset();
    ASSERT_EQ(post("/apps/3/events", R"({"name":"e","channel":"orders","data":"x"})").status, 200);
    EXPECT_TRUE(seen.empty());
}

TEST_F(ApiDebugTap, LargeDataIsPreviewedNotCopiedWhole) {
    auto watching = watch(filterOf("3"));
    const std::string data(3000, 'x');
    ASSERT_EQ(post("/apps/3/events", R"({"name":"big","channel":"orders","data":")" + data + R"("})").status,
              200);
    ASSERT_EQ(seen.size(), 1u);
    EXPECT_EQ(seen[0].bytes, 3000u);
    EXPECT_LE(seen[0].detail.size(), dashboard::kMaxDetailBytes + 3);
}

TEST_F(ApiDebugTap, RefusedPublishEmitsNothing) {
    auto watching = watch(filterOf("3"));
    bus.failing = true;
    EXPECT_EQ(post("/apps/3/events", R"({"name":"e","channel":"orders","data":"x"})").status, 503);
    EXPECT_TRUE(seen.empty());
}
