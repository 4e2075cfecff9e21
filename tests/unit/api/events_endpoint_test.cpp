#include <gtest/gtest.h>

#include <string>

#include "ApiTestSupport.h"

using namespace resound;
using namespace resound::api::test;

namespace {

constexpr const char* kEvents = "/apps/3/events";

std::string eventBody(const std::string& channels, const std::string& extra = "") {
    return R"({"name":"my-event","data":"{\"some\":\"data\"}",)" + channels + extra + "}";
}

}  // namespace

class EventsEndpoint : public ApiFixture {};

TEST_F(EventsEndpoint, WorkedExampleBodyPublishesOneFrame) {
    // docs/protocol.md 2.1: the exact request an SDK sends for this body and timestamp.
    const std::string body = R"({"name":"foo","channels":["project-3"],"data":"{\"some\":\"data\"}"})";
    const auto response = post(kEvents, body);
    ASSERT_EQ(response.status, 200) << response.body;
    EXPECT_EQ(response.body, "{}");
    EXPECT_EQ(response.contentType, "application/json");
    ASSERT_EQ(bus.messages.size(), 1u);
    const bus::BusMessage& message = *bus.messages[0];
    EXPECT_EQ(message.kind, bus::BusMessage::Kind::ChannelEvent);
    EXPECT_EQ(message.appId, "3");
    EXPECT_EQ(message.channel, "project-3");
    EXPECT_EQ(message.userId, "");
    EXPECT_EQ(message.exceptSocketId, "");
    EXPECT_EQ(publishedJson(0), R"({"event":"foo","channel":"project-3","data":"{\"some\":\"data\"}"})");
}

TEST_F(EventsEndpoint, EveryChannelGetsItsOwnFrameOnce) {
    const auto response = post(kEvents, eventBody(R"("channels":["a","private-b","presence-c","a"])"));
    ASSERT_EQ(response.status, 200) << response.body;
    ASSERT_EQ(bus.messages.size(), 3u) << "duplicates are published once";
    const char* channels[] = {"a", "private-b", "presence-c"};
    for (std::size_t i = 0; i < 3; ++i) {
        EXPECT_EQ(bus.messages[i]->channel, channels[i]);
        EXPECT_EQ(publishedJson(i), std::string(R"({"event":"my-event","channel":")") + channels[i] +
                                        R"(","data":"{\"some\":\"data\"}"})");
    }
}

TEST_F(EventsEndpoint, SingleChannelFieldAndSocketIdExclusion) {
    const auto response = post(kEvents, eventBody(R"("channel":"room")", R"(,"socket_id":"1234.5678")"));
    ASSERT_EQ(response.status, 200) << response.body;
    ASSERT_EQ(bus.messages.size(), 1u);
    EXPECT_EQ(bus.messages[0]->channel, "room");
    EXPECT_EQ(bus.messages[0]->exceptSocketId, "1234.5678");
}

TEST_F(EventsEndpoint, NullSocketIdMeansNobodyIsExcluded) {
    ASSERT_EQ(post(kEvents, eventBody(R"("channel":"room")", R"(,"socket_id":null)")).status, 200);
    EXPECT_EQ(bus.messages.at(0)->exceptSocketId, "");
}

TEST_F(EventsEndpoint, NonStringDataIsSerialisedToAString) {
    const auto response =
        post(kEvents, R"({"name":"e","channel":"c","data":{"z":1,"a":[true,null,"x\"y"]}})");
    ASSERT_EQ(response.status, 200) << response.body;
    EXPECT_EQ(publishedJson(0),
              R"({"event":"e","channel":"c","data":"{\"z\":1,\"a\":[true,null,\"x\\\"y\"]}"})");
    bus.messages.clear();
    ASSERT_EQ(post(kEvents, R"({"name":"e","channel":"c","data":42})").status, 200);
    EXPECT_EQ(publishedJson(0), R"({"event":"e","channel":"c","data":"42"})");
}

TEST_F(EventsEndpoint, UnicodeAndEscapesSurviveReEncoding) {
    const auto response = post(kEvents, R"({"name":"e","channel":"c","data":"caf\u00e9 \"q\" \\ \n \/"})");
    ASSERT_EQ(response.status, 200) << response.body;
    EXPECT_EQ(publishedJson(0),
              "{\"event\":\"e\",\"channel\":\"c\",\"data\":\"caf\xC3\xA9 \\\"q\\\" \\\\ \\n /\"}");
}

TEST_F(EventsEndpoint, LargeDataUsesExtendedFrameLength) {
    const std::string data(5000, 'x');
    ASSERT_EQ(post(kEvents, R"({"name":"e","channel":"c","data":")" + data + "\"}").status, 200);
    const std::string& frame = *bus.messages.at(0)->frame;
    EXPECT_EQ(static_cast<unsigned char>(frame[1]), 126u);
    EXPECT_EQ(publishedJson(0), R"({"event":"e","channel":"c","data":")" + data + "\"}");
}

TEST_F(EventsEndpoint, CacheChannelsAreStoredBeforePublishing) {
    ASSERT_EQ(
        post(kEvents, eventBody(R"("channels":["cache-a","private-cache-b","presence-cache-c","plain"])"))
            .status,
        200);
    EXPECT_EQ(
        log, (EventLog{"cache cache-a", "publish cache-a", "cache private-cache-b", "publish private-cache-b",
                       "cache presence-cache-c", "publish presence-cache-c", "publish plain"}));
    const auto& cached = state.cached.at({"3", "cache-a"});
    EXPECT_EQ(cached.eventJson, publishedJson(0)) << "the cache holds exactly the published message";
    EXPECT_EQ(cached.ttlSecondsLeft, app().cacheTtlSeconds);
    EXPECT_EQ(state.cached.count({"3", "plain"}), 0u);

    log.clear();
    ASSERT_EQ(post(kEvents, eventBody(R"("channel":"private-encrypted-cache-x")")).status, 200);
    EXPECT_EQ(log, (EventLog{"cache private-encrypted-cache-x", "publish private-encrypted-cache-x"}));
}

TEST_F(EventsEndpoint, InfoReportsCountsPerChannel) {
    state.occupy("3", "counted", 2);
    state.occupy("3", "presence-room", 5, {"a", "b", "c"});
    auto response =
        post(kEvents, eventBody(R"("channels":["counted","empty"])", R"(,"info":"subscription_count")"));
    ASSERT_EQ(response.status, 200) << response.body;
    EXPECT_EQ(response.body,
              R"({"channels":{"counted":{"subscription_count":2},"empty":{"subscription_count":0}}})");

    response = post(kEvents, eventBody(R"("channel":"presence-room")", R"(,"info":"user_count")"));
    EXPECT_EQ(response.body, R"({"channels":{"presence-room":{"user_count":3}}})");

    // Both asked on a mixed list: each channel gets the attributes that apply to it.
    response = post(kEvents, eventBody(R"("channels":["counted","presence-room"])",
                                       R"(,"info":"user_count,subscription_count")"));
    EXPECT_EQ(response.body,
              R"({"channels":{"counted":{"subscription_count":2},"presence-room":{"user_count":3}}})");
}

TEST_F(EventsEndpoint, ServerToUserChannelIsAccepted) {
    ASSERT_EQ(post(kEvents, eventBody(R"("channel":"#server-to-user-42")")).status, 200);
    EXPECT_EQ(bus.messages.at(0)->channel, "#server-to-user-42");
}

TEST_F(EventsEndpoint, EventNameOfTwoHundredCharactersIsAccepted) {
    const std::string body = R"({"name":")" + std::string(200, 'n') + R"(","data":"x","channels":["a"]})";
    EXPECT_EQ(post(kEvents, body).status, 200);
}

TEST_F(EventsEndpoint, ValidationErrors) {
    const std::string longName(201, 'n');
    const std::string longChannel(201, 'c');
    const std::pair<std::string, std::string> cases[] = {
        {R"({"data":"x","channels":["a"]})", "Missing \\\"name\\\""},
        {R"({"name":"","data":"x","channels":["a"]})", "Missing \\\"name\\\""},
        {R"({"name":null,"data":"x","channels":["a"]})", "Missing \\\"name\\\""},
        {R"({"name":5,"data":"x","channels":["a"]})", "must be a string"},
        {R"({"name":")" + longName + R"(","data":"x","channels":["a"]})", "200 characters"},
        {R"({"name":"e","channels":["a"]})", "Missing \\\"data\\\""},
        {R"({"name":"e","data":null,"channels":["a"]})", "Missing \\\"data\\\""},
        {R"({"name":"e","data":"x"})", "Missing \\\"channels\\\""},
        {R"({"name":"e","data":"x","channels":[]})", "empty"},
        {R"({"name":"e","data":"x","channels":"a"})", "must be a list"},
        {R"({"name":"e","data":"x","channels":[1]})", "must be strings"},
        {R"({"name":"e","data":"x","channels":["a b"]})", "Invalid channel name \\\"a b\\\""},
        {R"({"name":"e","data":"x","channels":["#general"]})", "Invalid channel name"},
        {R"({"name":"e","data":"x","channels":[")" + longChannel + R"("]})", "Invalid channel name"},
        {R"({"name":"e","data":"x","channel":"ok","channels":["bad/name"]})", "Invalid channel name"},
        {R"({"name":"e","data":"x","channels":["private-encrypted-a","b"]})", "Encrypted channels"},
        {R"({"name":"e","data":"x","channels":["a"],"socket_id":"abc"})", "Invalid socket_id"},
        {R"({"name":"e","data":"x","channels":["a"],"socket_id":"1.2.3"})", "Invalid socket_id"},
        {R"({"name":"e","data":"x","channels":["a"],"socket_id":"1."})", "Invalid socket_id"},
        {R"({"name":"e","data":"x","channels":["a"],"socket_id":".1"})", "Invalid socket_id"},
        {R"({"name":"e","data":"x","channels":["a"],"socket_id":"-1.2"})", "Invalid socket_id"},
        {R"({"name":"e","data":"x","channels":["a"],"socket_id":12.5})", "Invalid socket_id"},
        {R"({"name":"e","data":"x","channels":["a"],"socket_id":")" + std::string(40, '1') + "." +
             std::string(40, '2') + R"("})",
         "Invalid socket_id"},
        {R"({"name":"e","data":"x","channels":["a"],"info":"user_count,bogus"})",
         "Unknown info attribute \\\"bogus\\\""},
        {R"({"name":"e","data":"x","channels":["a"],"info":"cache"})", "Unknown info attribute"},
        {R"({"name":"e","data":"x","channels":["a"],"info":7})", "\\\"info\\\""},
        {R"(["not","an","object"])", "must be a JSON object"},
        {R"("just a string")", "not valid JSON"},
        {R"({"name":"x","channels":[)", "not valid JSON"},
        {R"({"name":"e","data":"x","channels":["a"]} trailing)", "not valid JSON"},
        {"", "not valid JSON"},
        {std::string(200, '[') + std::string(200, ']'), "not valid JSON"},
    };
    for (const auto& [body, mentions] : cases) {
        SCOPED_TRACE(body.substr(0, 120));
        expectError(post(kEvents, body), 400, mentions);
    }
    EXPECT_TRUE(bus.messages.empty()) << "a rejected request must publish nothing";
    EXPECT_TRUE(state.cached.empty());
}

TEST_F(EventsEndpoint, TooManyChannelsIs400AndNothingIsPublished) {
    std::string channels = "\"channels\":[";
    for (std::size_t i = 0; i <= app().maxChannelsPerEvent; ++i)
        channels += (i ? ",\"c" : "\"c") + std::to_string(i) + "\"";
    channels += "]";
    const auto response = post(kEvents, eventBody(channels));
    expectError(response, 400, "Too many channels: 101 given, at most 100");
    EXPECT_TRUE(bus.messages.empty());
}

TEST_F(EventsEndpoint, InvalidChannelAfterValidOnesPublishesNothing) {
    expectError(post(kEvents, eventBody(R"("channels":["ok-1","ok-2","not ok"])")), 400,
                "Invalid channel name");
    EXPECT_TRUE(bus.messages.empty());
}

TEST_F(EventsEndpoint, DataOverTheAppLimitIs413) {
    const std::size_t limit = app().maxEventPayloadBytes;
    const std::string atLimit(limit, 'x');
    ASSERT_EQ(post(kEvents, R"({"name":"e","channel":"c","data":")" + atLimit + "\"}").status, 200);
    bus.messages.clear();
    const auto response = post(kEvents, R"({"name":"e","channel":"c","data":")" + atLimit + "x\"}");
    expectError(response, 413, std::to_string(limit + 1) + " bytes");
    EXPECT_NE(response.body.find("max_event_payload_bytes"), std::string::npos);
    EXPECT_TRUE(bus.messages.empty());
}

TEST_F(EventsEndpoint, BusFailureIs503NotSuccess) {
    bus.failing = true;
    const auto response = post(kEvents, eventBody(R"("channels":["a","b"])"));
    expectError(response, 503, "retry");
}

// The body reader (json::readJson) is strict where Poco::JSON was, and the answers stay the same.
TEST_F(EventsEndpoint, BodiesTheStrictReaderRejectsGetTheSame400) {
    const std::string notJson =
        "Request body is not valid JSON: send a JSON object with Content-Type application/json";
    const std::vector<std::string> bodies = {
        "42",
        "null",
        "true",
        "{\"name\":\"e\",\"channel\":\"c\",\"data\":\"\xff\"}",  // invalid UTF-8
        R"({"name":"e","channel":"c","data":"\ud800"})",         // lone surrogate
        R"({"name":"e","channel":"c","data":01})",               // leading zero
        R"({"name":"e","channel":"c","data":"x",})",             // trailing comma
    };
    for (const auto& body : bodies) {
        SCOPED_TRACE(body);
        const auto response = post(kEvents, body);
        expectError(response, 400);
        EXPECT_EQ(response.body, "{\"error\":\"" + notJson + "\",\"code\":400,\"reason\":\"bad_request\"}");
    }
    EXPECT_TRUE(bus.messages.empty());
}

TEST_F(EventsEndpoint, DuplicateMembersTakeTheLastValue) {
    const auto response = post(kEvents, R"({"name":"first","channel":"c","data":"x","name":"last"})");
    ASSERT_EQ(response.status, 200) << response.body;
    EXPECT_EQ(publishedJson(0), R"({"event":"last","channel":"c","data":"x"})");
}

TEST_F(EventsEndpoint, NonStringNumbersKeepTheirLiteralText) {
    ASSERT_EQ(post(kEvents, R"({"name":"e","channel":"c","data":[1.50,-0,1e300]})").status, 200);
    EXPECT_EQ(publishedJson(0), R"({"event":"e","channel":"c","data":"[1.50,-0,1e300]"})");
    EXPECT_EQ(post(kEvents, R"({"name":"e","channel":"c","data":1e400})").status, 400);  // beyond a double
}
