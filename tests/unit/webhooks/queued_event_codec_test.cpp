// The Redis list entry format between edges and the webhook worker.
#include <gtest/gtest.h>

#include "webhooks/QueuedEventCodec.h"

namespace resound::webhooks {
namespace {

using Kind = WebhookEvent::Kind;

TEST(QueuedEventCodec, RoundTripsEveryField) {
    WebhookEvent e;
    e.kind = Kind::ClientEvent;
    e.channel = "presence-chat";
    e.userId = "7";
    e.event = "client-typing";
    e.dataJson = R"({"b":1,  "a":"\u00e9"})";  // kept byte for byte, spacing and key order included
    e.socketId = "1.2";
    const std::string encoded = encodeQueuedEvent("app-1", e);
    EXPECT_EQ(encoded.find("secret"), std::string::npos);
    const auto decoded = decodeQueuedEvent(encoded);
    ASSERT_TRUE(decoded);
    EXPECT_EQ(decoded->appId, "app-1");
    EXPECT_EQ(decoded->event.kind, Kind::ClientEvent);
    EXPECT_EQ(decoded->event.channel, "presence-chat");
    EXPECT_EQ(decoded->event.userId, "7");
    EXPECT_EQ(decoded->event.event, "client-typing");
    EXPECT_EQ(decoded->event.dataJson, e.dataJson);
    EXPECT_EQ(decoded->event.socketId, "1.2");

    WebhookEvent count;
    count.kind = Kind::SubscriptionCount;
    count.channel = "c";
    count.subscriptionCount = 12345;
    const auto decodedCount = decodeQueuedEvent(encodeQueuedEvent("a", count));
    ASSERT_TRUE(decodedCount);
    EXPECT_EQ(decodedCount->event.subscriptionCount, 12345u);
}

TEST(QueuedEventCodec, RejectsWhatIsNotAnEvent) {
    EXPECT_FALSE(decodeQueuedEvent("not json"));
    EXPECT_FALSE(decodeQueuedEvent("[1,2]"));
    EXPECT_FALSE(decodeQueuedEvent(R"({"app_id":"a","name":"nope","channel":"c"})"));
    EXPECT_FALSE(decodeQueuedEvent(R"({"name":"channel_occupied","channel":"c"})"));
    EXPECT_FALSE(decodeQueuedEvent(R"({"app_id":"a","name":"channel_occupied"})"));
    EXPECT_FALSE(decodeQueuedEvent(
        R"({"app_id":"a","name":"subscription_count","channel":"c","subscription_count":-1})"));
    EXPECT_TRUE(decodeQueuedEvent(R"({"app_id":"a","name":"channel_occupied","channel":"c"})"));
}

}  // namespace
}  // namespace resound::webhooks
