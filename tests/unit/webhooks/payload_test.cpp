// The Pusher webhook wire format (docs/protocol.md section 3), including its signature test vector.
#include <gtest/gtest.h>

#include "config/WebhookConfig.h"
#include "webhooks/WebhookPayload.h"

namespace resound::webhooks {
namespace {

using Kind = WebhookEvent::Kind;

WebhookEvent make(Kind kind, std::string channel) {
    WebhookEvent e;
    e.kind = kind;
    e.channel = std::move(channel);
    return e;
}

TEST(WebhookPayload, SignatureMatchesTheProtocolTestVector) {
    const std::string body =
        R"({"time_ms":1327078148132,"events":[{"name":"channel_occupied","channel":"test"}]})";
    EXPECT_EQ(signature("7ad3773142a6692b25b8", body),
              "abfea5004a8dd261c09cf7357e59a6dbdbfd3d6a9846970f7d549e8e2b57bb32");
    // The same body built by our encoder, byte for byte.
    const std::vector<std::string> events{eventJson(make(Kind::ChannelOccupied, "test"))};
    EXPECT_EQ(requestBody(1327078148132, events), body);
}

TEST(WebhookPayload, ChannelLifecycleShapes) {
    EXPECT_EQ(eventJson(make(Kind::ChannelOccupied, "private-a")),
              R"({"name":"channel_occupied","channel":"private-a"})");
    EXPECT_EQ(eventJson(make(Kind::ChannelVacated, "a")), R"({"name":"channel_vacated","channel":"a"})");
    EXPECT_EQ(eventJson(make(Kind::CacheMiss, "cache-a")), R"({"name":"cache_miss","channel":"cache-a"})");
}

TEST(WebhookPayload, MemberShapesCarryTheUserIdAsAString) {
    WebhookEvent added = make(Kind::MemberAdded, "presence-room");
    added.userId = "42";
    EXPECT_EQ(eventJson(added), R"({"name":"member_added","channel":"presence-room","user_id":"42"})");
    WebhookEvent removed = make(Kind::MemberRemoved, "presence-room");
    removed.userId = "a\"b";
    EXPECT_EQ(eventJson(removed), R"({"name":"member_removed","channel":"presence-room","user_id":"a\"b"})");
}

TEST(WebhookPayload, ClientEventEmbedsTheDataAsSentAndUserIdOnlyOnPresence) {
    WebhookEvent e = make(Kind::ClientEvent, "private-chat");
    e.event = "client-typing";
    e.dataJson = R"({"text":"hi"})";
    e.socketId = "123.456";
    EXPECT_EQ(
        eventJson(e),
        R"({"name":"client_event","channel":"private-chat","event":"client-typing","data":{"text":"hi"},)"
        R"("socket_id":"123.456"})");
    e.channel = "presence-chat";
    e.userId = "7";
    e.dataJson = R"("a string")";
    EXPECT_EQ(eventJson(e),
              R"({"name":"client_event","channel":"presence-chat","event":"client-typing","data":"a string",)"
              R"("socket_id":"123.456","user_id":"7"})");
    e.dataJson.clear();
    EXPECT_NE(eventJson(e).find(R"("data":null)"), std::string::npos);
}

TEST(WebhookPayload, SubscriptionCountShape) {
    WebhookEvent e = make(Kind::SubscriptionCount, "my-channel");
    e.subscriptionCount = 12;
    EXPECT_EQ(eventJson(e),
              R"({"name":"subscription_count","channel":"my-channel","subscription_count":12})");
}

TEST(WebhookPayload, BatchedBody) {
    const std::vector<std::string> events{R"({"name":"a"})", R"({"name":"b"})"};
    EXPECT_EQ(requestBody(5, events), R"({"time_ms":5,"events":[{"name":"a"},{"name":"b"}]})");
    EXPECT_EQ(requestBody(5, {}), R"({"time_ms":5,"events":[]})");
}

TEST(WebhookPayload, EventNamesAgreeWithTheConfigList) {
    for (const std::string_view name : config::kWebhookEventTypes) {
        const auto kind = eventKindFromName(name);
        ASSERT_TRUE(kind.has_value()) << name;
        EXPECT_EQ(eventTypeName(*kind), name);
    }
    EXPECT_EQ(std::size(config::kWebhookEventTypes), kEventKindCount);
    EXPECT_FALSE(eventKindFromName("channel_existence").has_value());
}

}  // namespace
}  // namespace resound::webhooks
