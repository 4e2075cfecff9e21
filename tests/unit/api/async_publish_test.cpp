// ApiHandler with a LoopBackend (how the bundle's api service publishes): events and batch_events
// hand every message over in one call and answer through the completion once the backend reports:
// 200 (with `info` from the counts the backend read in the same round trip, never a blocking state read)
// when all were acknowledged, 503 otherwise; never before; refusals and reads are answered at once;
// the debug console sees what was acknowledged.
#include <gtest/gtest.h>

#include <functional>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ApiTestSupport.h"
#include "dashboard/DebugTap.h"

using namespace resound;
using namespace resound::api;
using namespace resound::api::test;

namespace {

// Holds every hand-over until the test answers it.
class HeldBackend final : public LoopBackend {
  public:
    struct HandOver {
        std::vector<PublishStep> steps;
        Done done;
    };
    void publish(std::vector<PublishStep> steps, Done done) override {
        handOvers.push_back({std::move(steps), std::move(done)});
    }
    void flush() override { ++flushes; }

    // Answers hand-over `index`: every step acknowledged, or the ones listed as failing refused;
    // `counts` are what the backend read for the steps that asked (the real backend: Redis).
    void answer(std::size_t index, const std::vector<std::size_t>& failing = {},
                std::vector<std::optional<state::ChannelSummary>> counts = {}) {
        PublishReport report;
        report.acknowledged.assign(handOvers.at(index).steps.size(), true);
        for (std::size_t step : failing) report.acknowledged.at(step) = false;
        report.counts = std::move(counts);
        handOvers.at(index).done(report);
    }

    std::vector<HandOver> handOvers;
    int flushes = 0;
};

struct AsyncPublish : ApiFixture {
    HeldBackend backend;
    std::vector<ApiResponse> completed;

    std::optional<ApiResponse> send(const http::Request& request) {
        return handler.handle(request, request.path, http::parseQuery(request.query), backend,
                              [this](ApiResponse r) { completed.push_back(std::move(r)); });
    }
    std::optional<ApiResponse> sendPost(const std::string& path, const std::string& body) {
        return send(signedRequest("POST", path, body));
    }
    // An event on "counted" asking for its subscription_count, handed to the backend, which answers
    // with `counts` for it. Returns the one answer.
    ApiResponse publishCounted(std::optional<state::ChannelSummary> counts) {
        EXPECT_FALSE(sendPost("/apps/3/events",
                              R"({"name":"e","channel":"counted","data":"x","info":"subscription_count"})")
                         .has_value());
        EXPECT_EQ(backend.handOvers.size(), 1u);
        if (backend.handOvers.empty()) return {};
        EXPECT_TRUE(backend.handOvers[0].steps.at(0).readCounts) << "info asks the backend for the counts";
        backend.answer(0, {}, {std::move(counts)});
        EXPECT_EQ(completed.size(), 1u);
        return completed.empty() ? ApiResponse{} : completed.front();
    }
};

std::string batchOf(std::size_t count) {
    std::string body = R"({"batch":[)";
    for (std::size_t i = 0; i < count; ++i) {
        if (i > 0) body += ',';
        body += R"({"name":"e)" + std::to_string(i) + R"(","channel":"ch-)" + std::to_string(i) +
                R"(","data":"d"})";
    }
    return body + "]}";
}

}  // namespace

TEST_F(AsyncPublish, AnEventIsAnsweredOnlyOnceTheBackendAcknowledgedIt) {
    const auto now = sendPost("/apps/3/events", R"({"name":"e","channels":["a","b"],"data":"x"})");
    EXPECT_FALSE(now.has_value()) << "a valid publish waits for the backend";
    ASSERT_EQ(backend.handOvers.size(), 1u);
    ASSERT_EQ(backend.handOvers[0].steps.size(), 2u);
    EXPECT_EQ(backend.handOvers[0].steps[0].message->channel, "a");
    EXPECT_EQ(backend.handOvers[0].steps[1].message->channel, "b");
    EXPECT_TRUE(bus.messages.empty()) << "nothing goes to the bus directly";
    EXPECT_TRUE(completed.empty());

    backend.answer(0);
    ASSERT_EQ(completed.size(), 1u);
    EXPECT_EQ(completed[0].status, 200);
    EXPECT_EQ(completed[0].body, "{}");
}

TEST_F(AsyncPublish, ABatchOfTenIsOneHandOverAndOneAnswerAfterAllTen) {
    const auto now = sendPost("/apps/3/batch_events", batchOf(10));
    ASSERT_FALSE(now.has_value());
    ASSERT_EQ(backend.handOvers.size(), 1u) << "one hand-over for the whole batch";
    ASSERT_EQ(backend.handOvers[0].steps.size(), 10u);
    for (std::size_t i = 0; i < 10; ++i) {
        EXPECT_EQ(backend.handOvers[0].steps[i].message->channel, "ch-" + std::to_string(i));
    }
    EXPECT_TRUE(completed.empty());
    backend.answer(0);
    ASSERT_EQ(completed.size(), 1u);
    EXPECT_EQ(completed[0].status, 200);
}

TEST_F(AsyncPublish, AnyRefusedMessageMakesIt503WithTheBusErrorBody) {
    ASSERT_FALSE(sendPost("/apps/3/batch_events", batchOf(3)).has_value());
    backend.answer(0, {2});
    ASSERT_EQ(completed.size(), 1u);
    expectError(completed[0], 503, "message bus");

    // The same body as a refusing bus gives synchronously.
    bus.failing = true;
    const ApiResponse synchronous = post("/apps/3/batch_events", batchOf(3));
    EXPECT_EQ(synchronous.body, completed[0].body);
}

TEST_F(AsyncPublish, CacheChannelsCarryTheirStoreBeforeThePublish) {
    ASSERT_FALSE(
        sendPost("/apps/3/events", R"({"name":"e","channels":["cache-a","plain"],"data":"x"})").has_value());
    const auto& steps = backend.handOvers.at(0).steps;
    ASSERT_EQ(steps.size(), 2u);
    ASSERT_TRUE(steps[0].cache.has_value());
    EXPECT_EQ(steps[0].cache->ttlSeconds, app().cacheTtlSeconds);
    EXPECT_EQ(steps[0].cache->eventJson, *textFramePayload(*steps[0].message->frame))
        << "the store holds exactly the published message";
    EXPECT_FALSE(steps[1].cache.has_value());
    EXPECT_TRUE(state.cached.empty()) << "the backend stores, not the handler";
}

TEST_F(AsyncPublish, InfoComesFromTheCountsTheBackendReadNotFromABlockingStateRead) {
    // Any read of the cluster state on the loop would throw here (and stall a real api loop on Redis).
    state.throwing = true;
    const ApiResponse answer = publishCounted(state::ChannelSummary{"counted", 4, 0});
    EXPECT_EQ(answer.status, 200);
    EXPECT_EQ(answer.body, R"({"channels":{"counted":{"subscription_count":4}}})");
}

TEST_F(AsyncPublish, AnUnoccupiedChannelCountsZero) {
    const ApiResponse answer = publishCounted(state::ChannelSummary{"counted", 0, 0});
    EXPECT_EQ(answer.body, R"({"channels":{"counted":{"subscription_count":0}}})");
}

TEST_F(AsyncPublish, UnreadableCountsStill200WithoutTheAttributes) {
    // The event went out: a 503 would make the SDK publish it again, and 0 would be a false count.
    const ApiResponse answer = publishCounted(std::nullopt);
    EXPECT_EQ(answer.status, 200);
    EXPECT_EQ(answer.body, R"({"channels":{"counted":{}}})");
}

TEST_F(AsyncPublish, OnlyTheStepsOfEventsWithInfoAskForCounts) {
    ASSERT_FALSE(
        sendPost("/apps/3/batch_events",
                 R"({"batch":[{"name":"e","channel":"a","data":"x"},)"
                 R"({"name":"e","channel":"presence-b","data":"x","info":"subscription_count,user_count"}]})")
            .has_value());
    const auto& steps = backend.handOvers.at(0).steps;
    ASSERT_EQ(steps.size(), 2u);
    EXPECT_FALSE(steps[0].readCounts);
    EXPECT_TRUE(steps[1].readCounts);
    backend.answer(0, {}, {std::nullopt, state::ChannelSummary{"presence-b", 3, 2}});
    ASSERT_EQ(completed.size(), 1u);
    // As before: a publish reports a presence channel's users, not its subscriptions (as Pusher does).
    EXPECT_EQ(completed[0].body, R"({"batch":[{},{"user_count":2}]})");

    ASSERT_FALSE(sendPost("/apps/3/events", R"({"name":"e","channels":["a","b"],"data":"x"})").has_value());
    for (const auto& step : backend.handOvers.at(1).steps) EXPECT_FALSE(step.readCounts);
}

TEST_F(AsyncPublish, RefusalsAndReadsAreAnsweredAtOnce) {
    const auto invalid = sendPost("/apps/3/events", R"({"name":"e","channel":"a"})");
    ASSERT_TRUE(invalid.has_value());
    expectError(*invalid, 400, "data");
    http::Request unsigned_ =
        signedRequest("POST", "/apps/3/events", R"({"name":"e","channel":"a","data":"x"})");
    unsigned_.query += "&extra=1";
    const auto forged = send(unsigned_);
    ASSERT_TRUE(forged.has_value());
    EXPECT_EQ(forged->status, 401);
    const auto channels = send(signedRequest("GET", "/apps/3/channels"));
    ASSERT_TRUE(channels.has_value());
    EXPECT_EQ(channels->status, 200);
    EXPECT_TRUE(backend.handOvers.empty());
    EXPECT_TRUE(completed.empty());
}

TEST_F(AsyncPublish, TerminateConnectionsGoesThroughTheBackendToo) {
    ASSERT_FALSE(sendPost("/apps/3/users/u-7/terminate_connections", "{}").has_value());
    ASSERT_EQ(backend.handOvers.size(), 1u);
    const auto& steps = backend.handOvers[0].steps;
    ASSERT_EQ(steps.size(), 1u);
    EXPECT_EQ(steps[0].message->kind, bus::BusMessage::Kind::TerminateUser);
    EXPECT_EQ(steps[0].message->userId, "u-7");
    EXPECT_TRUE(bus.messages.empty()) << "nothing goes to the bus directly";
    backend.answer(0);
    ASSERT_EQ(completed.size(), 1u);
    EXPECT_EQ(completed[0].status, 200);

    ASSERT_FALSE(sendPost("/apps/3/users/u-8/terminate_connections", "{}").has_value());
    backend.answer(1, {0});
    ASSERT_EQ(completed.size(), 2u);
    bus.failing = true;
    EXPECT_EQ(completed[1].body, post("/apps/3/users/u-8/terminate_connections", "{}").body)
        << "the same 503 as a refusing bus";
}

TEST_F(AsyncPublish, TheDebugConsoleSeesTheAcknowledgedChannelsOnly) {
    dashboard::DebugTap tap;
    handler.setDebugTap(&tap);
    dashboard::DebugFilter filter;
    filter.appId = "3";
    std::vector<dashboard::DebugEvent> seen;
    auto watching = tap.watch(filter, [&](const dashboard::DebugEvent& e) { seen.push_back(e); });
    ASSERT_FALSE(
        sendPost("/apps/3/events", R"({"name":"e","channels":["a","b","c"],"data":"x"})").has_value());
    EXPECT_TRUE(seen.empty()) << "nothing is reported before Redis answered";
    backend.answer(0, {1});
    ASSERT_EQ(seen.size(), 2u);
    EXPECT_EQ(seen[0].channel, "a");
    EXPECT_EQ(seen[1].channel, "c");
}
