// ws::checkUpgrade: which WebSocket upgrade requests the edge accepts, and the answer to each refusal.
#include "websocket/UpgradeCheck.h"

#include <gtest/gtest.h>

#include <string>

#include "websocket/Handshake.h"

using namespace resound;
using namespace resound::ws;

namespace {

constexpr const char* kKey = "dGhlIHNhbXBsZSBub25jZQ==";

// A well-formed upgrade to /app/app-key; each test breaks one thing.
http::Request upgradeRequest(std::string path = "/app/app-key") {
    http::Request request;
    request.method = "GET";
    request.path = std::move(path);
    request.target = request.path + "?protocol=7";
    request.query = "protocol=7";
    request.headers = {{"host", "localhost"},
                       {"upgrade", "websocket"},
                       {"connection", "Upgrade"},
                       {"sec-websocket-version", "13"},
                       {"sec-websocket-key", kKey}};
    return request;
}

void setHeader(http::Request& request, const std::string& name, std::string value) {
    for (auto& [n, v] : request.headers) {
        if (n == name) v = std::move(value);
    }
}

void removeHeader(http::Request& request, const std::string& name) {
    std::erase_if(request.headers, [&](const auto& header) { return header.first == name; });
}

const UpgradeEndpoint kEdge{};

}  // namespace

TEST(UpgradeCheck, AcceptsAWellFormedUpgradeWithTheAppKeyAndAcceptKey) {
    const http::Request request = upgradeRequest();
    ASSERT_TRUE(request.isWebSocketUpgrade());
    const UpgradeDecision decision = checkUpgrade(request, kEdge);
    EXPECT_TRUE(decision.accepted());
    EXPECT_EQ(decision.status, 101);
    EXPECT_EQ(decision.appKey, "app-key");
    EXPECT_EQ(decision.acceptKey, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");  // RFC 6455 1.3's key
    EXPECT_TRUE(decision.body.empty());
    EXPECT_TRUE(decision.headers.empty());
}

TEST(UpgradeCheck, UnknownPathIs404) {
    for (const char* path : {"/", "/app", "/app/", "/app/key/extra", "/apps/1/events", "/socket"}) {
        const UpgradeDecision decision = checkUpgrade(upgradeRequest(path), kEdge);
        EXPECT_EQ(decision.status, 404) << path;
        EXPECT_EQ(decision.body,
                  R"({"error":"WebSocket connections go to /app/{key}","code":404,"reason":"not_found"})")
            << path;
        EXPECT_TRUE(decision.headers.empty()) << path;
    }
}

TEST(UpgradeCheck, AnHttpApiOnlyProcessRefusesEveryUpgradeWith404) {
    const UpgradeDecision decision =
        checkUpgrade(upgradeRequest(), {.servesWebSockets = false, .pathPrefix = ""});
    EXPECT_EQ(decision.status, 404);
}

TEST(UpgradeCheck, PathPrefixIsAcceptedWithAndWithoutIt) {
    const UpgradeEndpoint behindProxy{.servesWebSockets = true, .pathPrefix = "/ws/"};
    EXPECT_EQ(checkUpgrade(upgradeRequest("/ws/app/k1"), behindProxy).appKey, "k1");
    EXPECT_EQ(checkUpgrade(upgradeRequest("/app/k2"), behindProxy).appKey, "k2");  // a proxy that strips it
    EXPECT_EQ(checkUpgrade(upgradeRequest("/wsx/app/k3"), behindProxy).status, 404);  // not the whole segment
    EXPECT_EQ(checkUpgrade(upgradeRequest("/ws/app/k1"), kEdge).status, 404);         // no prefix configured
}

TEST(UpgradeCheck, WrongMethodIs405WithAllow) {
    http::Request request = upgradeRequest();
    request.method = "POST";
    const UpgradeDecision decision = checkUpgrade(request, kEdge);
    EXPECT_EQ(decision.status, 405);
    EXPECT_EQ(decision.body,
              R"({"error":"WebSocket upgrades use GET","code":405,"reason":"method_not_allowed"})");
    ASSERT_EQ(decision.headers.size(), 1u);
    EXPECT_EQ(decision.headers[0], (std::pair<std::string, std::string>{"Allow", "GET"}));
}

TEST(UpgradeCheck, MethodsAreCaseSensitive) {
    http::Request request = upgradeRequest();
    request.method = "get";
    EXPECT_EQ(checkUpgrade(request, kEdge).status, 405);
}

TEST(UpgradeCheck, VersionOtherThan13Is426NamingVersion13) {
    for (const char* version : {"8", "12", "14", "13, 8", ""}) {
        http::Request request = upgradeRequest();
        setHeader(request, "sec-websocket-version", version);
        const UpgradeDecision decision = checkUpgrade(request, kEdge);
        EXPECT_EQ(decision.status, 426) << version;
        EXPECT_EQ(
            decision.body,
            R"({"error":"Only WebSocket version 13 is supported","code":426,"reason":"upgrade_required"})");
        ASSERT_EQ(decision.headers.size(), 1u);
        EXPECT_EQ(decision.headers[0], (std::pair<std::string, std::string>{"Sec-WebSocket-Version", "13"}));
    }
}

TEST(UpgradeCheck, MissingVersionIs426) {
    http::Request request = upgradeRequest();
    removeHeader(request, "sec-websocket-version");
    EXPECT_EQ(checkUpgrade(request, kEdge).status, 426);
}

TEST(UpgradeCheck, MissingOrInvalidKeyIs400) {
    http::Request missing = upgradeRequest();
    removeHeader(missing, "sec-websocket-key");
    http::Request shortKey = upgradeRequest();
    setHeader(shortKey, "sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ=");
    http::Request notBase64 = upgradeRequest();
    setHeader(notBase64, "sec-websocket-key", "dGhlIHNhbXBsZSBub25j*Q==");
    for (const http::Request* request : {&missing, &shortKey, &notBase64}) {
        const UpgradeDecision decision = checkUpgrade(*request, kEdge);
        EXPECT_EQ(decision.status, 400);
        EXPECT_EQ(decision.body,
                  R"({"error":"Missing or invalid Sec-WebSocket-Key","code":400,"reason":"bad_request"})");
        EXPECT_TRUE(decision.headers.empty());
        EXPECT_TRUE(decision.acceptKey.empty());
    }
}

TEST(UpgradeCheck, TheFirstBrokenRuleAnswers) {
    // Wrong path, method, version and key at once: the path decides, then the method, then the version.
    http::Request request = upgradeRequest("/nowhere");
    request.method = "PUT";
    setHeader(request, "sec-websocket-version", "8");
    setHeader(request, "sec-websocket-key", "bad");
    EXPECT_EQ(checkUpgrade(request, kEdge).status, 404);
    request.path = "/app/k";
    EXPECT_EQ(checkUpgrade(request, kEdge).status, 405);
    request.method = "GET";
    EXPECT_EQ(checkUpgrade(request, kEdge).status, 426);
    setHeader(request, "sec-websocket-version", "13");
    EXPECT_EQ(checkUpgrade(request, kEdge).status, 400);
}

// Without "Upgrade: websocket" a request is not an upgrade at all: the edge routes it as plain HTTP
// (GET /app/{key} then gets the router's 404), so checkUpgrade is never asked about it.
TEST(UpgradeCheck, WithoutTheUpgradeHeaderARequestIsPlainHttp) {
    http::Request request = upgradeRequest();
    removeHeader(request, "upgrade");
    EXPECT_FALSE(request.isWebSocketUpgrade());
}

TEST(UpgradeCheck, AppKeyOfPath) {
    EXPECT_EQ(appKeyOfPath("/app/abc", ""), "abc");
    EXPECT_EQ(appKeyOfPath("/prefix/app/abc", "/prefix"), "abc");
    EXPECT_EQ(appKeyOfPath("/prefix", "/prefix"), std::nullopt);
    EXPECT_EQ(appKeyOfPath("/app/a/b", ""), std::nullopt);
    EXPECT_EQ(appKeyOfPath("/application/abc", ""), std::nullopt);
}
