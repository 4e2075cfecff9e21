// AuthVerifier end to end without sockets: requests as pusher-js sends them, tokens minted here.
#include <Poco/JSON/Parser.h>
#include <gtest/gtest.h>

#include "auth/AuthPayload.h"
#include "auth/AuthVerifier.h"
#include "auth/Jwt.h"
#include "crypto/ChannelAuth.h"

namespace resound::auth {
namespace {

using service::HttpExchange;
using service::HttpReply;

constexpr std::int64_t kNow = 1'700'000'000;
const std::string kSecret1 = "jwt-secret-of-app-one-0123456789abcdef";
const std::string kSecret2 = "jwt-secret-of-app-two-0123456789abcdef";
const std::string kMasterKeyBase64 = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";  // "0123...cdef"

config::AppConfig app(std::string id, std::string jwtSecret) {
    config::AppConfig a;
    a.id = id;
    a.key = "key-" + id;
    a.secret = "secret-" + id;
    a.jwtSecret = std::move(jwtSecret);
    return a;
}

std::vector<config::AppConfig> apps() {
    config::AppConfig one = app("a1", kSecret1);
    one.encryptionMasterKey = kMasterKeyBase64;
    one.allowedOrigins = {"app.example.com", "*.example.org", "[::1]"};
    one.maxUserInfoBytes = 64;
    config::AppConfig two = app("a2", kSecret2);
    two.userAuthentication = false;
    return {one, two, app("a3", "")};
}

std::string token(const std::string& claims, const std::string& secret = kSecret1) {
    return signHs256(R"({"alg":"HS256","typ":"JWT"})", claims, secret);
}

const std::string kClaims =
    R"({"app":"a1","sub":"42","exp":1700000600,"user_info":{"name":"Ada"},)"
    R"("channels":["private-orders.42","presence-room.*","private-encrypted-orders.*"]})";

HttpExchange post(const std::string& path, const std::string& body, const std::string& bearer,
                  const std::string& origin = "") {
    HttpExchange request;
    request.method = "POST";
    request.path = path;
    request.body = body;
    request.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
    if (!bearer.empty()) request.headers.emplace_back("Authorization", "Bearer " + bearer);
    if (!origin.empty()) request.headers.emplace_back("Origin", origin);
    return request;
}

std::string header(const HttpReply& reply, std::string_view name) {
    for (const auto& [key, value] : reply.headers) {
        if (key == name) return value;
    }
    return "";
}

std::string errorCode(const HttpReply& reply) {
    Poco::JSON::Parser parser;
    return parser.parse(reply.body).extract<Poco::JSON::Object::Ptr>()->getValue<std::string>("reason");
}

class AuthVerifierTest : public ::testing::Test {
  protected:
    AuthVerifier verifier_{apps(), {.leewaySeconds = 30, .clock = [] { return kNow; }, .pathPrefix = {}}};
    const config::AppConfig app1_ = apps()[0];
};

TEST_F(AuthVerifierTest, PrivateChannel) {
    const HttpReply reply =
        verifier_.handle(post("/auth", "socket_id=123.456&channel_name=private-orders.42", token(kClaims)));
    EXPECT_EQ(reply.status, 200) << reply.body;
    EXPECT_EQ(reply.body, privateChannelAuthBody(app1_, "123.456", "private-orders.42"));
}

TEST_F(AuthVerifierTest, PresenceChannelCarriesTheSignedUser) {
    const HttpReply reply = verifier_.handle(
        post("/broadcasting/auth", "socket_id=123.456&channel_name=presence-room.7", token(kClaims)));
    ASSERT_EQ(reply.status, 200) << reply.body;
    Poco::JSON::Parser parser;
    const auto body = parser.parse(reply.body).extract<Poco::JSON::Object::Ptr>();
    const std::string channelData = body->getValue<std::string>("channel_data");
    EXPECT_EQ(channelData, R"({"user_id":"42","user_info":{"name":"Ada"}})");
    EXPECT_TRUE(
        crypto::verifyAuthString(body->getValue<std::string>("auth"), {app1_.key, app1_.secret},
                                 crypto::presenceStringToSign("123.456", "presence-room.7", channelData)));
}

TEST_F(AuthVerifierTest, EncryptedChannelGetsTheSharedSecret) {
    const HttpReply reply = verifier_.handle(
        post("/pusher/auth", "socket_id=1.2&channel_name=private-encrypted-orders.42", token(kClaims)));
    ASSERT_EQ(reply.status, 200) << reply.body;
    EXPECT_EQ(reply.body, encryptedChannelAuthBody(app1_, "1.2", "private-encrypted-orders.42",
                                                   "0123456789abcdef0123456789abcdef"));
}

TEST_F(AuthVerifierTest, EncryptedChannelWithoutMasterKeyIsRefused) {
    const std::string claims = R"({"aud":"key-a2","sub":"1","exp":1700000600,"channels":["*"]})";
    const HttpReply reply = verifier_.handle(
        post("/auth", "socket_id=1.2&channel_name=private-encrypted-x", token(claims, kSecret2)));
    EXPECT_EQ(reply.status, 403);
    EXPECT_EQ(errorCode(reply), "encryption_unavailable");
}

TEST_F(AuthVerifierTest, ChannelOutsideThePatternsIs403) {
    const HttpReply reply =
        verifier_.handle(post("/auth", "socket_id=1.2&channel_name=private-orders.43", token(kClaims)));
    EXPECT_EQ(reply.status, 403);
    EXPECT_EQ(errorCode(reply), "channel_not_allowed");
}

TEST_F(AuthVerifierTest, BadRequests) {
    const std::string t = token(kClaims);
    EXPECT_EQ(errorCode(verifier_.handle(post("/auth", "socket_id=1.2&channel_name=orders", t))),
              "bad_request");
    EXPECT_EQ(errorCode(verifier_.handle(post("/auth", "socket_id=1.2", t))), "bad_request");
    EXPECT_EQ(errorCode(verifier_.handle(post("/auth", "socket_id=abc&channel_name=private-orders.42", t))),
              "bad_request");
    EXPECT_EQ(errorCode(verifier_.handle(post("/auth", "channel_name=private-orders.42", t))), "bad_request");
    // The socket-id rule is pusher/SocketId.h, the API's and the edge's.
    EXPECT_EQ(errorCode(verifier_.handle(post("/auth", "socket_id=1.2.3&channel_name=private-orders.42", t))),
              "bad_request");
    const std::string tooLong = std::string(40, '1') + "." + std::string(40, '2');
    EXPECT_EQ(errorCode(verifier_.handle(
                  post("/auth", "socket_id=" + tooLong + "&channel_name=private-orders.42", t))),
              "bad_request");
    EXPECT_EQ(verifier_.handle(post("/auth", "socket_id=1.2&channel_name=private-%20x", t)).status, 400);
    EXPECT_EQ(verifier_.handle(post("/auth", "socket_id=1.2&channel_name=%23server-to-user-42", t)).status,
              400);
}

TEST_F(AuthVerifierTest, JsonBodiesAreAccepted) {
    HttpExchange request =
        post("/auth", R"({"socket_id":"1.2","channel_name":"private-orders.42"})", token(kClaims));
    request.headers[0].second = "application/json; charset=utf-8";
    EXPECT_EQ(verifier_.handle(request).status, 200);
    request.body = "{broken";
    EXPECT_EQ(verifier_.handle(request).status, 400);
}

TEST_F(AuthVerifierTest, TokenProblemsAre401WithAReason) {
    const std::string body = "socket_id=1.2&channel_name=private-orders.42";
    HttpReply reply = verifier_.handle(post("/auth", body, ""));
    EXPECT_EQ(reply.status, 401);
    EXPECT_EQ(errorCode(reply), "missing_token");
    EXPECT_EQ(header(reply, "WWW-Authenticate"), "Bearer realm=\"resound\"");

    HttpExchange basic = post("/auth", body, "");
    basic.headers.emplace_back("Authorization", "Basic dXNlcjpwYXNz");
    EXPECT_EQ(errorCode(verifier_.handle(basic)), "missing_token");

    reply = verifier_.handle(post("/auth", body, token(kClaims, kSecret2)));
    EXPECT_EQ(errorCode(reply), "bad_signature");
    EXPECT_NE(header(reply, "WWW-Authenticate").find("invalid_token"), std::string::npos);

    EXPECT_EQ(errorCode(verifier_.handle(
                  post("/auth", body, token(R"({"app":"a1","sub":"1","exp":1699990000,"channels":["*"]})")))),
              "token_expired");
    EXPECT_EQ(errorCode(verifier_.handle(post("/auth", body, token(R"({"sub":"1","exp":1700000600})")))),
              "unknown_app");
    EXPECT_EQ(errorCode(verifier_.handle(
                  post("/auth", body, token(R"({"app":"nope","sub":"1","exp":1700000600})")))),
              "unknown_app");
    // a3 exists but has no jwt_secret: it accepts no tokens at all, not even unsigned-looking ones.
    EXPECT_EQ(errorCode(verifier_.handle(
                  post("/auth", body, token(R"({"app":"a3","sub":"1","exp":1700000600})", "")))),
              "unknown_app");
    EXPECT_EQ(errorCode(verifier_.handle(post("/auth", body, "not.a.token"))), "malformed_token");
}

TEST_F(AuthVerifierTest, UserAuthentication) {
    HttpReply reply = verifier_.handle(post("/user-auth", "socket_id=1.2", token(kClaims)));
    ASSERT_EQ(reply.status, 200) << reply.body;
    EXPECT_EQ(reply.body, signinAuthBody(app1_, "1.2", R"({"id":"42","user_info":{"name":"Ada"}})"));

    const std::string claims2 = R"({"app":"a2","sub":"1","exp":1700000600})";
    reply = verifier_.handle(post("/broadcasting/user-auth", "socket_id=1.2", token(claims2, kSecret2)));
    EXPECT_EQ(reply.status, 403);  // a2 has user_authentication: false
}

TEST_F(AuthVerifierTest, OversizedUserInfoIsRefused) {
    const std::string claims =
        R"({"app":"a1","sub":"1","exp":1700000600,"channels":["*"],"user_info":{"bio":")" +
        std::string(80, 'x') + "\"}}";
    const HttpReply reply =
        verifier_.handle(post("/auth", "socket_id=1.2&channel_name=presence-room.1", token(claims)));
    EXPECT_EQ(reply.status, 403);
    EXPECT_EQ(errorCode(reply), "user_info_too_large");
}

TEST_F(AuthVerifierTest, CorsFollowsTheAppsAllowedOrigins) {
    const std::string body = "socket_id=1.2&channel_name=private-orders.42";
    HttpReply reply = verifier_.handle(post("/auth", body, token(kClaims), "https://app.example.com"));
    EXPECT_EQ(reply.status, 200);
    EXPECT_EQ(header(reply, "Access-Control-Allow-Origin"), "https://app.example.com");
    EXPECT_EQ(header(reply, "Vary"), "Origin");

    // a2 allows any origin, so the browser may read the answer, but a1's token is refused from there.
    reply = verifier_.handle(post("/auth", body, token(kClaims), "https://evil.test"));
    EXPECT_EQ(reply.status, 403);
    EXPECT_EQ(errorCode(reply), "origin_not_allowed");
    EXPECT_EQ(header(reply, "Access-Control-Allow-Origin"), "https://evil.test");

    HttpExchange preflight;
    preflight.method = "OPTIONS";
    preflight.path = "/auth";
    preflight.headers = {{"Origin", "https://x.example.org"},
                         {"Access-Control-Request-Method", "POST"},
                         {"Access-Control-Request-Headers", "authorization, content-type"}};
    reply = verifier_.handle(preflight);
    EXPECT_EQ(reply.status, 204);
    EXPECT_EQ(header(reply, "Access-Control-Allow-Origin"), "https://x.example.org");
    EXPECT_EQ(header(reply, "Access-Control-Allow-Headers"), "authorization, content-type");
    EXPECT_EQ(header(reply, "Access-Control-Allow-Methods"), "POST, OPTIONS");
}

// The cases where resound-auth and the edge used to disagree (issue #14): pusher/OriginRule.h now.
TEST_F(AuthVerifierTest, OriginHostsCompareCaseInsensitivelyAndIpv6LiteralsWithPortsMatch) {
    const std::string body = "socket_id=1.2&channel_name=private-orders.42";
    for (const char* origin : {"https://App.Example.com", "https://[::1]:8080", "https://x.EXAMPLE.org"}) {
        const HttpReply reply = verifier_.handle(post("/auth", body, token(kClaims), origin));
        EXPECT_EQ(reply.status, 200) << origin << " " << reply.body;
        EXPECT_EQ(header(reply, "Access-Control-Allow-Origin"), origin);
    }
    const HttpReply refused = verifier_.handle(post("/auth", body, token(kClaims), "https://example.org"));
    EXPECT_EQ(refused.status, 403);
    EXPECT_EQ(errorCode(refused), "origin_not_allowed");
}

// Unlike the edge, a request without an Origin (a server, not a browser) is not origin-checked.
TEST_F(AuthVerifierTest, RequestWithoutOriginIsNotOriginChecked) {
    const HttpReply reply =
        verifier_.handle(post("/auth", "socket_id=1.2&channel_name=private-orders.42", token(kClaims)));
    EXPECT_EQ(reply.status, 200) << reply.body;
    EXPECT_EQ(header(reply, "Access-Control-Allow-Origin"), "");
}

TEST(AuthVerifierCors, UnknownOriginGetsNoCorsHeaders) {
    std::vector<config::AppConfig> only = {apps()[0]};
    AuthVerifier verifier(only, {.leewaySeconds = 30, .clock = [] { return kNow; }, .pathPrefix = {}});
    HttpExchange preflight;
    preflight.method = "OPTIONS";
    preflight.path = "/auth";
    preflight.headers = {{"Origin", "https://evil.test"}};
    const HttpReply reply = verifier.handle(preflight);
    EXPECT_EQ(reply.status, 403);
    EXPECT_EQ(header(reply, "Access-Control-Allow-Origin"), "");
}

TEST_F(AuthVerifierTest, ForwardAuth) {
    HttpExchange request;
    request.method = "GET";
    request.path = "/forward-auth";
    request.headers = {{"Authorization", "Bearer " + token(kClaims)}};
    HttpReply reply = verifier_.handle(request);
    EXPECT_EQ(reply.status, 200) << reply.body;
    EXPECT_EQ(header(reply, "X-Resound-User"), "42");
    EXPECT_EQ(header(reply, "X-Resound-App"), "a1");
    EXPECT_EQ(reply.body, R"({"app_id":"a1","user_id":"42","expires_at":1700000600})");
    request.headers = {{"Authorization", "Bearer " + token(kClaims, kSecret2)}};
    EXPECT_EQ(verifier_.handle(request).status, 401);
}

TEST_F(AuthVerifierTest, HealthReadyMetricsAndRouting) {
    HttpExchange get;
    get.method = "GET";
    get.path = "/health";
    HttpReply reply = verifier_.handle(get);
    EXPECT_EQ(reply.status, 200);
    EXPECT_NE(reply.body.find("\"token_apps\":2"), std::string::npos) << reply.body;
    get.path = "/ready";
    EXPECT_EQ(verifier_.handle(get).status, 200);
    verifier_.setDraining();
    EXPECT_EQ(verifier_.handle(get).status, 503);
    EXPECT_EQ(verifier_.handle(get).body, R"({"error":"shutting down","code":503,"reason":"draining"})");
    get.path = "/health";
    EXPECT_EQ(verifier_.handle(get).body.rfind(R"({"status":"draining","service":"resound-auth",)", 0), 0u);
    get.path = "/up";
    EXPECT_EQ(verifier_.handle(get).body, R"({"health":"OK"})");
    get.path = "/auth";
    EXPECT_EQ(verifier_.handle(get).status, 405);
    get.path = "/nope";
    EXPECT_EQ(verifier_.handle(get).status, 404);

    verifier_.handle(post("/auth", "socket_id=1.2&channel_name=private-orders.42", token(kClaims)));
    verifier_.handle(post("/auth", "socket_id=1.2&channel_name=private-orders.43", token(kClaims)));
    get.path = "/metrics";
    reply = verifier_.handle(get);
    EXPECT_EQ(reply.contentType, "text/plain; version=0.0.4");
    EXPECT_NE(reply.body.find("resound_auth_requests_total{endpoint=\"channel\",status=\"200\"} 1"),
              std::string::npos)
        << reply.body;
    EXPECT_NE(reply.body.find("resound_auth_failures_total{reason=\"channel_not_allowed\"} 1"),
              std::string::npos);
    EXPECT_NE(reply.body.find("resound_build_info{service=\"resound-auth\""), std::string::npos);

    // The serving process's own metrics (service::appendServiceMetrics in resound-auth) follow.
    verifier_.setExtraMetrics(
        [](std::string& out) { out += "resound_loop_registration_failures_total 0\n"; });
    EXPECT_TRUE(verifier_.handle(get).body.ends_with("\nresound_loop_registration_failures_total 0\n"));
}

// Behind a proxy that mounts Resound under server.path_prefix and does not strip it, the auth paths
// arrive prefixed; unprefixed ones (a proxy that strips) still work.
TEST(AuthVerifierPrefix, AcceptsPrefixedAndStrippedPaths) {
    AuthVerifier verifier(apps(),
                          {.leewaySeconds = 30, .clock = [] { return kNow; }, .pathPrefix = "/realtime/"});
    const std::string body = "socket_id=123.456&channel_name=private-orders.42";
    for (const char* path : {"/realtime/broadcasting/auth", "/broadcasting/auth", "/realtime/auth"}) {
        const HttpReply reply = verifier.handle(post(path, body, token(kClaims)));
        EXPECT_EQ(reply.status, 200) << path << ": " << reply.body;
    }
    EXPECT_EQ(verifier.handle(post("/realtimex/auth", body, token(kClaims))).status, 404);
}

}  // namespace
}  // namespace resound::auth
