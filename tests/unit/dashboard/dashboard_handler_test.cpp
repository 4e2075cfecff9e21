// The dashboard's routes through handle(), without sockets: off = 404, Basic auth, the page and its
// assets, the JSON reads, the publish form's checks. The streams are in dashboard_stream_test.cpp.
#include <gtest/gtest.h>

#include "FakeBackend.h"
#include "crypto/Base64.h"
#include "dashboard/Dashboard.h"

namespace resound::dashboard {
namespace {

using test::FakeBackend;

const std::string kAuth = "Basic " + crypto::base64Encode("admin:pw-123");

service::HttpExchange request(std::string method, std::string path, std::string query = "",
                              std::string authorization = kAuth) {
    service::HttpExchange exchange;
    exchange.method = std::move(method);
    exchange.path = std::move(path);
    exchange.query = std::move(query);
    if (!authorization.empty()) exchange.headers.emplace_back("authorization", std::move(authorization));
    exchange.headers.emplace_back("host", "dash.test");
    return exchange;
}

service::HttpExchange publishRequest(std::string body) {
    auto exchange = request("POST", "/dashboard/api/publish");
    exchange.headers.emplace_back("content-type", "application/json");
    exchange.headers.emplace_back("x-resound-dashboard", "1");
    exchange.headers.emplace_back("origin", "https://dash.test");
    exchange.body = std::move(body);
    return exchange;
}

std::string header(const service::HttpReply& reply, std::string_view name) {
    for (const auto& [key, value] : reply.headers) {
        if (key == name) return value;
    }
    return {};
}

class DashboardHandler : public ::testing::Test {
  protected:
    Dashboard::Options options() {
        Dashboard::Options o;
        o.password = "pw-123";
        o.channelsPerPage = 2;
        return o;
    }
    FakeBackend backend;
};

TEST_F(DashboardHandler, OwnsOnlyTheDashboardPaths) {
    EXPECT_TRUE(Dashboard::owns("/dashboard"));
    EXPECT_TRUE(Dashboard::owns("/dashboard/"));
    EXPECT_TRUE(Dashboard::owns("/dashboard/api/overview"));
    EXPECT_FALSE(Dashboard::owns("/dashboards"));
    EXPECT_FALSE(Dashboard::owns("/dash"));
    EXPECT_FALSE(Dashboard::owns("/apps/1/dashboard"));
    EXPECT_FALSE(Dashboard::owns("/"));
}

TEST_F(DashboardHandler, WithoutAPasswordEveryPathIsNotFound) {
    Dashboard dashboard(Dashboard::Options{}, backend);
    EXPECT_FALSE(dashboard.enabled());
    EXPECT_EQ(dashboard.handle(request("GET", "/dashboard")).status, 404);
    EXPECT_EQ(dashboard.handle(request("GET", "/dashboard/api/overview")).status, 404);
    EXPECT_EQ(dashboard.handle(request("GET", "/dashboard", "", "")).status, 404);  // no challenge either
}

TEST_F(DashboardHandler, AsksForBasicAuthAndRefusesWrongPasswords) {
    Dashboard dashboard(options(), backend);
    const auto anonymous = dashboard.handle(request("GET", "/dashboard", "", ""));
    EXPECT_EQ(anonymous.status, 401);
    EXPECT_NE(header(anonymous, "WWW-Authenticate").find("Basic realm=\"Resound dashboard\""),
              std::string::npos);
    const auto wrong = dashboard.handle(
        request("GET", "/dashboard/api/apps", "", "Basic " + crypto::base64Encode("admin:nope")));
    EXPECT_EQ(wrong.status, 401);
    EXPECT_EQ(wrong.body.find("pw-123"), std::string::npos);
    EXPECT_EQ(dashboard.handle(request("GET", "/dashboard")).status, 200);
}

TEST_F(DashboardHandler, ServesThePageWithItsBaseAndTheAssets) {
    auto o = options();
    o.pathPrefix = "/ws";
    Dashboard dashboard(o, backend);
    const auto page = dashboard.handle(request("GET", "/ws/dashboard"));
    ASSERT_EQ(page.status, 200);
    EXPECT_EQ(page.contentType, "text/html; charset=utf-8");
    EXPECT_NE(page.body.find("src=\"/ws/dashboard/assets/dashboard.js\""), std::string::npos);
    EXPECT_EQ(page.body.find("{{BASE}}"), std::string::npos);
    EXPECT_NE(header(page, "Content-Security-Policy").find("default-src 'self'"), std::string::npos);
    EXPECT_EQ(dashboard.handle(request("GET", "/dashboard")).status, 200);  // the stripped form too
    const auto script = dashboard.handle(request("GET", "/ws/dashboard/assets/dashboard.js"));
    EXPECT_EQ(script.status, 200);
    EXPECT_EQ(script.contentType, "text/javascript; charset=utf-8");
    EXPECT_FALSE(script.body.empty());
    EXPECT_EQ(dashboard.handle(request("GET", "/dashboard/assets/dashboard.css")).status, 200);
    EXPECT_EQ(dashboard.handle(request("GET", "/dashboard/assets/missing.js")).status, 404);
    EXPECT_EQ(dashboard.handle(request("GET", "/dashboard/assets/../../etc/passwd")).status, 404);
    EXPECT_EQ(dashboard.handle(request("POST", "/dashboard")).status, 405);
    EXPECT_EQ(dashboard.handle(request("GET", "/dashboard/nothing")).status, 404);
}

TEST_F(DashboardHandler, OverviewReadsTheBackendNow) {
    backend.current.timeMs = 1'700'000'000'000;
    backend.current.totals.connections = 42;
    backend.current.totals.apiErrors = 3;
    backend.current.nodes.push_back({"local", "resound", "0.1.0", true, 5, 42});
    Dashboard dashboard(options(), backend);
    const auto reply = dashboard.handle(request("GET", "/dashboard/api/overview"));
    ASSERT_EQ(reply.status, 200);
    EXPECT_NE(reply.body.find("\"connections\":42"), std::string::npos) << reply.body;
    EXPECT_NE(reply.body.find("\"api_errors\":3"), std::string::npos) << reply.body;
    EXPECT_NE(reply.body.find("\"history\":{\"interval_ms\":1000"), std::string::npos) << reply.body;
    EXPECT_EQ(header(reply, "Cache-Control"), "no-store");
}

TEST_F(DashboardHandler, ListsAppsAndPagesChannels) {
    backend.channelList = {{"presence-room", 2, 1}, {"private-a", 1, 0}, {"private-b", 3, 0}};
    Dashboard dashboard(options(), backend);
    EXPECT_EQ(dashboard.handle(request("GET", "/dashboard/api/apps")).body,
              "{\"apps\":[\"app-1\",\"app-2\"]}");
    const auto first = dashboard.handle(request("GET", "/dashboard/api/channels", "app=app-1"));
    EXPECT_NE(first.body.find("\"total\":3"), std::string::npos) << first.body;
    EXPECT_NE(first.body.find("presence-room"), std::string::npos);
    EXPECT_EQ(first.body.find("private-b"), std::string::npos);  // page 2
    const auto second = dashboard.handle(request("GET", "/dashboard/api/channels", "app=app-1&page=2"));
    EXPECT_NE(second.body.find("{\"name\":\"private-b\",\"subscription_count\":3,\"user_count\":0}"),
              std::string::npos)
        << second.body;
    const auto prefixed =
        dashboard.handle(request("GET", "/dashboard/api/channels", "app=app-1&prefix=private-"));
    EXPECT_NE(prefixed.body.find("\"total\":2"), std::string::npos) << prefixed.body;
    EXPECT_EQ(dashboard.handle(request("GET", "/dashboard/api/channels", "app=nope")).status, 404);
    EXPECT_EQ(dashboard.handle(request("GET", "/dashboard/api/channels", "")).status, 400);
    EXPECT_EQ(dashboard.handle(request("GET", "/dashboard/api/channels", "app=app-1&page=0")).status, 400);
    EXPECT_EQ(dashboard.handle(request("GET", "/dashboard/api/channels", "app=app-1&page=x")).status, 400);
    EXPECT_EQ(
        dashboard
            .handle(request("GET", "/dashboard/api/channels", "app=app-1&prefix=" + std::string(201, 'a')))
            .status,
        400);
}

TEST_F(DashboardHandler, ChannelShowsMembersAndTheCachedEventAsText) {
    backend.channelList = {{"presence-room", 2, 1}};
    Dashboard dashboard(options(), backend);
    const auto room =
        dashboard.handle(request("GET", "/dashboard/api/channel", "app=app-1&name=presence-room"));
    ASSERT_EQ(room.status, 200);
    EXPECT_NE(room.body.find("\"occupied\":true,\"subscription_count\":2"), std::string::npos) << room.body;
    EXPECT_NE(room.body.find("{\"id\":\"7\",\"info\":\"{\\\"name\\\":\\\"<b>Ann</b>\\\"}\"}"),
              std::string::npos)
        << room.body;
    const auto cache =
        dashboard.handle(request("GET", "/dashboard/api/channel", "app=app-1&name=cache-prices"));
    EXPECT_NE(cache.body.find("\"occupied\":false"), std::string::npos) << cache.body;
    EXPECT_NE(cache.body.find("\"ttl_seconds\":1700"), std::string::npos) << cache.body;
    EXPECT_EQ(dashboard.handle(request("GET", "/dashboard/api/channel", "app=app-1")).status, 400);
}

TEST_F(DashboardHandler, PublishesThroughTheBackend) {
    Dashboard dashboard(options(), backend);
    const auto ok = dashboard.handle(publishRequest(
        "{\"app\":\"app-1\",\"channel\":\"orders\",\"event\":\"shipped\",\"data\":\"{\\\"id\\\":1}\"}"));
    ASSERT_EQ(ok.status, 200) << ok.body;
    ASSERT_EQ(backend.published.size(), 1u);
    EXPECT_EQ(backend.published[0].channel, "orders");
    EXPECT_EQ(backend.published[0].data, "{\"id\":1}");
    // Data that is not a string is sent as its JSON text, as the HTTP API does.
    dashboard.handle(
        publishRequest("{\"app\":\"app-1\",\"channel\":\"orders\",\"event\":\"e\",\"data\":{\"a\":[1]}}"));
    EXPECT_EQ(backend.published.at(1).data, "{\"a\":[1]}");
}

TEST_F(DashboardHandler, PublishRefusesBadInputWithAClearMessage) {
    Dashboard dashboard(options(), backend);
    auto status = [&](const std::string& body) { return dashboard.handle(publishRequest(body)); };
    EXPECT_EQ(status("not json").status, 400);
    EXPECT_EQ(status("[]").status, 400);
    EXPECT_NE(status("{\"app\":\"app-1\",\"channel\":\"bad channel\",\"event\":\"e\",\"data\":\"\"}")
                  .body.find("Invalid channel name"),
              std::string::npos);
    EXPECT_EQ(status("{\"app\":\"app-1\",\"channel\":\"private-encrypted-x\",\"event\":\"e\",\"data\":\"\"}")
                  .status,
              400);
    EXPECT_EQ(status("{\"app\":\"app-1\",\"channel\":\"c\",\"event\":\"pusher:ping\",\"data\":\"\"}").status,
              400);
    EXPECT_EQ(status("{\"app\":\"app-1\",\"channel\":\"c\",\"event\":\"" + std::string(201, 'e') +
                     "\",\"data\":\"\"}")
                  .status,
              400);
    EXPECT_EQ(status("{\"app\":\"app-1\",\"channel\":\"c\",\"event\":\"e\"}").status, 400);
    EXPECT_EQ(status("{\"app\":\"zzz\",\"channel\":\"c\",\"event\":\"e\",\"data\":\"\"}").status, 404);
    const auto huge = status("{\"app\":\"app-1\",\"channel\":\"c\",\"event\":\"e\",\"data\":\"" +
                             std::string(500, 'x') + "\"}");
    EXPECT_EQ(huge.status, 413);
    EXPECT_NE(huge.body.find("too large"), std::string::npos);
    EXPECT_TRUE(backend.published.empty());
}

TEST_F(DashboardHandler, PublishRefusesCrossSiteRequests) {
    Dashboard dashboard(options(), backend);
    const std::string body = "{\"app\":\"app-1\",\"channel\":\"c\",\"event\":\"e\",\"data\":\"x\"}";
    auto form = publishRequest(body);
    form.headers = {{"authorization", kAuth},
                    {"host", "dash.test"},
                    {"content-type", "application/x-www-form-urlencoded"},
                    {"x-resound-dashboard", "1"}};
    EXPECT_EQ(dashboard.handle(form).status, 415);
    auto noHeader = publishRequest(body);
    noHeader.headers = {
        {"authorization", kAuth}, {"host", "dash.test"}, {"content-type", "application/json"}};
    EXPECT_EQ(dashboard.handle(noHeader).status, 403);
    auto otherOrigin = publishRequest(body);
    otherOrigin.headers.back().second = "https://evil.test";
    EXPECT_EQ(dashboard.handle(otherOrigin).status, 403);
    EXPECT_EQ(dashboard.handle(request("GET", "/dashboard/api/publish")).status, 405);
    EXPECT_TRUE(backend.published.empty());
}

TEST_F(DashboardHandler, StreamRefusesABadFilterBeforeOpening) {
    Dashboard dashboard(options(), backend);
    const auto bomb =
        dashboard.handle(request("GET", "/dashboard/api/stream", "app=app-1&channel=(a%2B)%2B%24"));
    EXPECT_EQ(bomb.status, 400);
    EXPECT_NE(bomb.body.find("bad_filter"), std::string::npos) << bomb.body;
    EXPECT_EQ(dashboard.handle(request("GET", "/dashboard/api/stream", "app=nope")).status, 404);
    EXPECT_EQ(backend.debugTap.watchCount(), 0u);
}

}  // namespace
}  // namespace resound::dashboard
