#include <gtest/gtest.h>

#include <string>

#include "ApiTestSupport.h"
#include "api/ApiRouter.h"

using namespace resound;
using namespace resound::api::test;

class ApiRouting : public ApiFixture {};

TEST(ApiRouter, MatchesEveryEndpoint) {
    using api::Endpoint;
    const std::tuple<const char*, Endpoint, const char*, const char*> cases[] = {
        {"/apps/1/events", Endpoint::Events, "", "POST"},
        {"/apps/1/batch_events", Endpoint::BatchEvents, "", "POST"},
        {"/apps/1/channels", Endpoint::Channels, "", "GET"},
        {"/apps/1/channels/presence-x", Endpoint::Channel, "presence-x", "GET"},
        {"/apps/1/channels/presence-x/users", Endpoint::ChannelUsers, "presence-x", "GET"},
        {"/apps/1/users/42/terminate_connections", Endpoint::TerminateUserConnections, "42", "POST"},
        {"/apps/1/connections", Endpoint::Connections, "", "GET"},
    };
    for (const auto& [path, endpoint, argument, method] : cases) {
        const auto route = api::matchRoute(path);
        ASSERT_TRUE(route.has_value()) << path;
        EXPECT_EQ(route->endpoint, endpoint) << path;
        EXPECT_EQ(route->appId, "1");
        EXPECT_EQ(route->argument, argument);
        EXPECT_EQ(route->method, method);
    }
    for (const char* path :
         {"/", "/apps", "/apps/", "/apps/1", "/apps/1/", "/apps/1/events/", "/apps//events",
          "/apps/1/channels//users", "/apps/1/channels/x/members", "/apps/1/users/42",
          "/apps/1/users/42/terminate", "/app/1/events", "/apps/1/channels/a/users/b", "/apps/1/event"}) {
        EXPECT_FALSE(api::matchRoute(path).has_value()) << path;
    }
}

TEST_F(ApiRouting, UnknownPathIs404) { expectError(get("/apps/3/nothing"), 404, "Unknown API path"); }

TEST_F(ApiRouting, WrongMethodIs405WithAllow) {
    auto response = get("/apps/3/events");
    expectError(response, 405, "use POST");
    EXPECT_EQ(response.headers, (std::vector<std::pair<std::string, std::string>>{{"Allow", "POST"}}));
    response = post("/apps/3/channels", "{}");
    expectError(response, 405, "use GET");
    EXPECT_EQ(response.headers, (std::vector<std::pair<std::string, std::string>>{{"Allow", "GET"}}));
}

TEST_F(ApiRouting, UnknownAppIs404) {
    const auto response = post("/apps/999/events", R"({"name":"e","channel":"c","data":"x"})");
    expectError(response, 404, "No app with id \\\"999\\\"");
    EXPECT_TRUE(bus.messages.empty());
}

TEST_F(ApiRouting, BadSignatureIs401) {
    http::Request request =
        signedRequest("POST", "/apps/3/events", R"({"name":"e","channel":"c","data":"x"})");
    request.query += "0";  // corrupt the signature's last character
    expectError(call(request), 401, "auth_signature");
    EXPECT_TRUE(bus.messages.empty());
}

TEST_F(ApiRouting, AnotherAppsCredentialsAre401) {
    const config::AppConfig other = otherApp();
    const auto response =
        call(signedRequest("POST", "/apps/3/events", R"({"name":"e","channel":"c","data":"x"})", {}, &other));
    expectError(response, 401, "auth_key");
}

TEST_F(ApiRouting, ExpiredTimestampIs401AndWindowComesFromServerConfig) {
    const std::string body = R"({"name":"e","channel":"c","data":"x"})";
    expectError(call(signedRequest("POST", "/apps/3/events", body, {}, nullptr, kNow - 601)), 401,
                "auth_timestamp");
    EXPECT_EQ(call(signedRequest("POST", "/apps/3/events", body, {}, nullptr, kNow - 600)).status, 200);
    server.authTimestampWindowSeconds = 0;
    EXPECT_EQ(call(signedRequest("POST", "/apps/3/events", body, {}, nullptr, kNow - 100000)).status, 200);
}

TEST_F(ApiRouting, BodyMd5MismatchIs401) {
    http::Request request =
        signedRequest("POST", "/apps/3/events", R"({"name":"e","channel":"c","data":"x"})");
    request.body = R"({"name":"e","channel":"c","data":"y"})";  // changed after signing
    expectError(call(request), 401, "body_md5");
    EXPECT_TRUE(bus.messages.empty());
}

TEST_F(ApiRouting, SignatureCoversTheCanonicalPathNotAProxyPrefix) {
    http::Request request = signedRequest("GET", "/apps/3/connections");
    request.path = "/ws/apps/3/connections";  // what arrived; the caller strips the prefix
    EXPECT_EQ(handler.handle(request, "/apps/3/connections").status, 200);
}

TEST_F(ApiRouting, DecodedQueryOverloadGivesTheSameAnswer) {
    const http::Request request = signedRequest("GET", "/apps/3/connections");
    EXPECT_EQ(handler.handle(request, request.path, http::parseQuery(request.query)).body,
              handler.handle(request, request.path).body);
}

TEST_F(ApiRouting, Connections) {
    state.connections["3"] = 17;
    state.connections["other"] = 5;
    const auto response = get("/apps/3/connections");
    ASSERT_EQ(response.status, 200) << response.body;
    EXPECT_EQ(response.body, R"({"connections":17})");
}

TEST_F(ApiRouting, TerminateUserConnectionsPublishesToTheBus) {
    const auto response = post("/apps/3/users/user%40example.com/terminate_connections", "{}");
    ASSERT_EQ(response.status, 200) << response.body;
    EXPECT_EQ(response.body, "{}");
    ASSERT_EQ(bus.messages.size(), 1u);
    const bus::BusMessage& message = *bus.messages[0];
    EXPECT_EQ(message.kind, bus::BusMessage::Kind::TerminateUser);
    EXPECT_EQ(message.appId, "3");
    EXPECT_EQ(message.userId, "user@example.com");
    EXPECT_EQ(message.channel, "");
}

TEST_F(ApiRouting, TerminateUserConnectionsErrors) {
    bus.failing = true;
    expectError(post("/apps/3/users/42/terminate_connections", "{}"), 503);
    bus.failing = false;
    expectError(post("/apps/3/users/%0A/terminate_connections", "{}"), 400, "user id");
    EXPECT_TRUE(bus.messages.empty());
}

TEST_F(ApiRouting, BackendExceptionIs500NotACrash) {
    state.throwing = true;
    const auto response = get("/apps/3/channels");
    expectError(response, 500, "Internal server error");
}

TEST_F(ApiRouting, UnreadableClusterStateIs503NeverAnEmptyAnswer) {
    state.occupy("3", "presence-room", 2, {"u1", "u2"});
    state.unavailable = true;
    for (const char* path : {"/apps/3/channels", "/apps/3/channels/presence-room",
                             "/apps/3/channels/presence-room/users", "/apps/3/connections"}) {
        SCOPED_TRACE(path);
        expectError(get(path), 503, "Redis reachable");
        EXPECT_NE(get(path).body.find(R"("reason":"state_unavailable")"), std::string::npos);
    }
    state.unavailable = false;
    EXPECT_EQ(get("/apps/3/channels/presence-room").status, 200);
}

TEST_F(ApiRouting, ErrorBodyEscapesUserInput) {
    const auto response = post("/apps/3/events", R"({"name":"e","data":"x","channels":["quote\"d"]})");
    expectError(response, 400, R"(Invalid channel name \"quote\"d\")");
}
