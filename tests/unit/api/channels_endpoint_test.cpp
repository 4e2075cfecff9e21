#include <gtest/gtest.h>

#include <string>

#include "ApiTestSupport.h"
#include "api/EventPublisher.h"

using namespace resound;
using namespace resound::api::test;

class ChannelsEndpoint : public ApiFixture {
  protected:
    void SetUp() override {
        state.occupy("3", "news", 2);
        state.occupy("3", "news-sport", 1);
        state.occupy("3", "presence-room", 3, {"7", "8"});
        state.occupy("3", "presence-lobby", 1, {"9"});
        state.occupy("3", "gone", 0);
        state.occupy("other", "news-foreign", 5);
    }
};

TEST_F(ChannelsEndpoint, ListsOccupiedChannelsOfThisAppOnly) {
    const auto response = get("/apps/3/channels");
    ASSERT_EQ(response.status, 200) << response.body;
    EXPECT_EQ(response.body,
              R"({"channels":{"news":{},"news-sport":{},"presence-lobby":{},"presence-room":{}}})");
}

TEST_F(ChannelsEndpoint, FilterByPrefixAndSubscriptionCount) {
    auto response = get("/apps/3/channels", {{"filter_by_prefix", "news"}, {"info", "subscription_count"}});
    ASSERT_EQ(response.status, 200) << response.body;
    EXPECT_EQ(response.body,
              R"({"channels":{"news":{"subscription_count":2},"news-sport":{"subscription_count":1}}})");
    response = get("/apps/3/channels", {{"filter_by_prefix", "nothing-"}});
    EXPECT_EQ(response.body, R"({"channels":{}})");
}

TEST_F(ChannelsEndpoint, UserCountNeedsAPresencePrefix) {
    const auto response =
        get("/apps/3/channels", {{"filter_by_prefix", "presence-"}, {"info", "user_count"}});
    ASSERT_EQ(response.status, 200) << response.body;
    EXPECT_EQ(response.body,
              R"({"channels":{"presence-lobby":{"user_count":1},"presence-room":{"user_count":2}}})");
    expectError(get("/apps/3/channels", {{"info", "user_count"}}), 400, "filter_by_prefix=presence-");
    expectError(get("/apps/3/channels", {{"filter_by_prefix", "news"}, {"info", "user_count"}}), 400);
    expectError(get("/apps/3/channels", {{"info", "members"}}), 400, "Unknown info attribute");
}

TEST_F(ChannelsEndpoint, ChannelInfo) {
    auto response = get("/apps/3/channels/news", {{"info", "subscription_count"}});
    ASSERT_EQ(response.status, 200) << response.body;
    EXPECT_EQ(response.body, R"({"occupied":true,"subscription_count":2})");
    EXPECT_EQ(get("/apps/3/channels/news").body, R"({"occupied":true})");
    EXPECT_EQ(get("/apps/3/channels/nobody-here").body, R"({"occupied":false})");
    EXPECT_EQ(get("/apps/3/channels/nobody-here", {{"info", "subscription_count"}}).body,
              R"({"occupied":false,"subscription_count":0})");
    EXPECT_EQ(get("/apps/3/channels/presence-room", {{"info", "user_count,subscription_count"}}).body,
              R"({"occupied":true,"user_count":2,"subscription_count":3})");
}

TEST_F(ChannelsEndpoint, ChannelInfoErrors) {
    expectError(get("/apps/3/channels/news", {{"info", "user_count"}}), 400, "presence-");
    expectError(get("/apps/3/channels/news", {{"info", "cache"}}), 400, "cache channels");
    expectError(get("/apps/3/channels/news", {{"info", "nope"}}), 400, "Unknown info attribute");
    expectError(get("/apps/3/channels/bad%20name"), 400, "Invalid channel name");
}

TEST_F(ChannelsEndpoint, CacheInfo) {
    EXPECT_EQ(get("/apps/3/channels/cache-price", {{"info", "cache"}}).body,
              R"({"occupied":false,"cache":null})");
    state.occupy("3", "cache-price", 1);
    state.storeCachedEvent("3", "cache-price", api::eventMessageJson("tick", "cache-price", R"({"p":1})"),
                           42);
    const auto response = get("/apps/3/channels/cache-price", {{"info", "cache,subscription_count"}});
    ASSERT_EQ(response.status, 200) << response.body;
    EXPECT_EQ(
        response.body,
        R"({"occupied":true,"subscription_count":1,"cache":{"event":"tick","data":"{\"p\":1}","ttl":42}})");
}

TEST_F(ChannelsEndpoint, ServerToUserChannelNameIsPercentDecoded) {
    state.occupy("3", "#server-to-user-5", 1);
    EXPECT_EQ(get("/apps/3/channels/%23server-to-user-5").body, R"({"occupied":true})");
}

TEST_F(ChannelsEndpoint, UsersOfAPresenceChannel) {
    const auto response = get("/apps/3/channels/presence-room/users");
    ASSERT_EQ(response.status, 200) << response.body;
    EXPECT_EQ(response.body, R"({"users":[{"id":"7"},{"id":"8"}]})");
    EXPECT_EQ(get("/apps/3/channels/presence-empty/users").body, R"({"users":[]})");
}

TEST_F(ChannelsEndpoint, UsersOfANonPresenceChannelIs400) {
    expectError(get("/apps/3/channels/news/users"), 400, "presence");
    expectError(get("/apps/3/channels/private-x/users"), 400, "presence");
}
