#include <gtest/gtest.h>

#include <string>

#include "ApiTestSupport.h"

using namespace resound;
using namespace resound::api::test;

namespace {

constexpr const char* kBatch = "/apps/3/batch_events";

std::string item(const std::string& channel, const std::string& name, const std::string& extra = "") {
    return R"({"channel":")" + channel + R"(","name":")" + name + R"(","data":"{\"i\":1}")" + extra + "}";
}

}  // namespace

class BatchEvents : public ApiFixture {};

TEST_F(BatchEvents, PublishesEveryItemWithItsOwnSocketId) {
    const std::string body = R"({"batch":[)" + item("one", "first") + "," + item("two", "second") + "," +
                             item("one", "third", R"(,"socket_id":"11.22")") + "]}";
    const auto response = post(kBatch, body);
    ASSERT_EQ(response.status, 200) << response.body;
    EXPECT_EQ(response.body, "{}");
    ASSERT_EQ(bus.messages.size(), 3u);
    EXPECT_EQ(publishedJson(0), R"({"event":"first","channel":"one","data":"{\"i\":1}"})");
    EXPECT_EQ(publishedJson(1), R"({"event":"second","channel":"two","data":"{\"i\":1}"})");
    EXPECT_EQ(publishedJson(2), R"({"event":"third","channel":"one","data":"{\"i\":1}"})");
    EXPECT_EQ(bus.messages[0]->exceptSocketId, "");
    EXPECT_EQ(bus.messages[2]->exceptSocketId, "11.22");
}

TEST_F(BatchEvents, InfoIsReportedPerItemIndexAligned) {
    state.occupy("3", "counted", 2);
    state.occupy("3", "presence-p", 4, {"u1", "u2"});
    const std::string body = R"({"batch":[)" + item("counted", "a", R"(,"info":"subscription_count")") + "," +
                             item("counted", "b") + "," + item("presence-p", "c", R"(,"info":"user_count")") +
                             "]}";
    const auto response = post(kBatch, body);
    ASSERT_EQ(response.status, 200) << response.body;
    EXPECT_EQ(response.body, R"({"batch":[{"subscription_count":2},{},{"user_count":2}]})");
}

TEST_F(BatchEvents, EmptyBatchIsAccepted) {
    const auto response = post(kBatch, R"({"batch":[]})");
    EXPECT_EQ(response.status, 200);
    EXPECT_EQ(response.body, "{}");
    EXPECT_TRUE(bus.messages.empty());
}

TEST_F(BatchEvents, OverMaxBatchSizeIs400AndNothingIsPublished) {
    std::string body = R"({"batch":[)";
    for (std::size_t i = 0; i <= app().maxBatchSize; ++i)
        body += (i ? "," : "") + item("c", "e" + std::to_string(i));
    body += "]}";
    expectError(post(kBatch, body), 400, "Batch has 11 events; at most 10");
    EXPECT_TRUE(bus.messages.empty());
}

TEST_F(BatchEvents, OneBadItemRejectsTheWholeBatchAndNamesIt) {
    const std::string body = R"({"batch":[)" + item("good", "a") + "," + item("bad channel", "b") + "]}";
    expectError(post(kBatch, body), 400, "batch[1]: Invalid channel name");
    EXPECT_TRUE(bus.messages.empty()) << "valid items before the bad one must not be published";
}

TEST_F(BatchEvents, ItemErrors) {
    const std::pair<std::string, std::string> cases[] = {
        {R"({})", "Missing \\\"batch\\\""},
        {R"({"batch":{}})", "Missing \\\"batch\\\""},
        {R"({"batch":["x"]})", "batch[0]: each event must be an object"},
        {R"({"batch":[{"name":"e","data":"x"}]})", "batch[0]: Missing \\\"channel\\\""},
        {R"({"batch":[{"name":"e","data":"x","channels":["a"]}]})", "batch[0]: Missing \\\"channel\\\""},
        {R"({"batch":[{"channel":"a","data":"x"}]})", "batch[0]: Missing \\\"name\\\""},
        {R"({"batch":[{"channel":"a","name":"e"}]})", "batch[0]: Missing \\\"data\\\""},
        {R"({"batch":[{"channel":"a","name":"e","data":"x","socket_id":"x"}]})",
         "batch[0]: Invalid socket_id"},
        {R"({"batch":[)", "not valid JSON"},
    };
    for (const auto& [body, mentions] : cases) {
        SCOPED_TRACE(body);
        expectError(post(kBatch, body), 400, mentions);
    }
    EXPECT_TRUE(bus.messages.empty());
}

TEST_F(BatchEvents, OversizedItemDataIs413) {
    const std::string big(app().maxEventPayloadBytes + 1, 'x');
    const std::string body =
        R"({"batch":[)" + item("a", "ok") + R"(,{"channel":"a","name":"big","data":")" + big + "\"}]}";
    expectError(post(kBatch, body), 413, "batch[1]: Event data is");
    EXPECT_TRUE(bus.messages.empty());
}

TEST_F(BatchEvents, CacheItemsAreStored) {
    ASSERT_EQ(post(kBatch, R"({"batch":[)" + item("cache-x", "e") + "]}").status, 200);
    EXPECT_EQ(log, (EventLog{"cache cache-x", "publish cache-x"}));
}

TEST_F(BatchEvents, BusFailureIs503) {
    bus.failing = true;
    expectError(post(kBatch, R"({"batch":[)" + item("a", "e") + "]}"), 503);
}
