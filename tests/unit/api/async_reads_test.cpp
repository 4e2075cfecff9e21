// ApiHandler with a backend that offers ClusterReads (how the bundle's api and edge loops answer the GET
// endpoints): /channels, /channels/{name} (with info=cache: both reads go out together),
// /channels/{name}/users and /connections read through the loop's reads and answer through the
// completion once the reads are in, the same bodies as the synchronous path; never at once, and
// never by reading ClusterState on the loop; an unreadable state is the one 503.
#include <gtest/gtest.h>

#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "ApiTestSupport.h"

using namespace resound;
using namespace resound::api;
using namespace resound::api::test;

namespace {

// Answers each read from its own fake state (what Redis holds), but only when the test says so (as
// Redis answers later).
// `unreadable`: the reads (by kind) that answer nullopt, as a loop's reads do when Redis is down or hung.
class HeldReads final : public state::ClusterReads {
  public:
    explicit HeldReads(FakeClusterState& state) : state_(state) {}

    void channels(const std::string& appId, const std::string& prefix,
                  Done<std::vector<state::ChannelSummary>> done) override {
        hold(
            "channels", [=, this] { return state_.channels(appId, prefix); }, std::move(done));
    }
    void channel(const std::string& appId, const std::string& name,
                 Done<state::ChannelSummary> done) override {
        hold(
            "channel",
            [=, this] {
                auto summary = state_.channel(appId, name);
                return summary ? *summary : state::ChannelSummary{name, 0, 0};
            },
            std::move(done));
    }
    void presenceMembers(const std::string& appId, const std::string& channel,
                         Done<std::vector<state::PresenceMember>> done) override {
        hold(
            "members", [=, this] { return state_.presenceMembers(appId, channel); }, std::move(done));
    }
    void cachedEvent(const std::string& appId, const std::string& channel,
                     Done<std::optional<state::CachedEvent>> done) override {
        hold(
            "cache", [=, this] { return state_.cachedEvent(appId, channel); }, std::move(done));
    }
    void connectionCount(const std::string& appId, Done<std::size_t> done) override {
        hold(
            "connections", [=, this] { return state_.connectionCount(appId); }, std::move(done));
    }

    // Answers every read held so far, in order.
    void answerAll() {
        auto answering = std::move(held_);
        held_.clear();
        for (auto& answer : answering) answer();
    }
    // Answers the oldest read held; the others stay held.
    void answerFirst() {
        auto answer = std::move(held_.front());
        held_.erase(held_.begin());
        answer();
    }

    std::vector<std::string> asked;
    std::set<std::string> unreadable;
    static inline const std::set<std::string> kEveryKind{"channels", "channel", "members", "cache",
                                                         "connections"};

  private:
    template <typename T, typename Read>
    void hold(const char* what, Read read, Done<T> done) {
        asked.emplace_back(what);
        held_.push_back([this, what = std::string(what), read = std::move(read), done = std::move(done)] {
            if (unreadable.contains(what)) {
                done(std::nullopt);
            } else {
                done(read());
            }
        });
    }

    FakeClusterState& state_;
    std::vector<std::function<void()>> held_;
};

class ReadingBackend final : public LoopBackend {
  public:
    explicit ReadingBackend(state::ClusterReads& reads) : reads_(reads) {}
    void publish(std::vector<PublishStep>, Done) override { ADD_FAILURE() << "nothing is published"; }
    void flush() override {}
    state::ClusterReads* reads() override { return &reads_; }

  private:
    state::ClusterReads& reads_;
};

struct AsyncReads : ApiFixture {
    EventLog redisLog;
    FakeClusterState redis{redisLog};  // what the loop's reads see; the handler's `state` must not be read
    HeldReads reads{redis};
    ReadingBackend backend{reads};
    std::vector<ApiResponse> completed;

    // Sets up the same contents on both sides, so the two paths can be compared.
    void occupy(const std::string& channel, std::size_t count, const std::vector<std::string>& users = {}) {
        state.occupy("3", channel, count, users);
        redis.occupy("3", channel, count, users);
    }

    // The GET answered through the reads; checks it is not answered at once.
    ApiResponse later(const std::string& path, const http::QueryParams& extra = {}) {
        const http::Request request = signedRequest("GET", path, "", extra);
        // The loop must never read ClusterState itself: any such read throws (a 500) while this runs.
        state.throwing = true;
        const auto now = handler.handle(request, request.path, http::parseQuery(request.query), backend,
                                        [this](ApiResponse r) { completed.push_back(std::move(r)); });
        EXPECT_FALSE(now.has_value()) << path << " must wait for its reads";
        EXPECT_TRUE(completed.empty());
        reads.answerAll();
        state.throwing = false;
        EXPECT_EQ(completed.size(), 1u);
        ApiResponse answer = completed.empty() ? ApiResponse{} : completed.back();
        completed.clear();
        return answer;
    }
};

}  // namespace

TEST_F(AsyncReads, EveryGetEndpointAnswersLaterWithTheSynchronousBody) {
    occupy("presence-room", 3, {"ann", "ben"});
    occupy("lobby", 2);
    occupy("cache-news", 1);
    for (FakeClusterState* side : {&state, &redis}) {
        side->connections["3"] = 5;
        side->cached[{"3", "cache-news"}] =
            state::CachedEvent{R"({"event":"e","channel":"cache-news","data":"d"})", 30};
    }
    const std::vector<std::pair<std::string, http::QueryParams>> requests = {
        {"/apps/3/channels", {}},
        {"/apps/3/channels", {{"filter_by_prefix", "presence-"}, {"info", "user_count,subscription_count"}}},
        {"/apps/3/channels/presence-room", {{"info", "user_count,subscription_count"}}},
        {"/apps/3/channels/empty", {{"info", "subscription_count"}}},
        {"/apps/3/channels/cache-news", {{"info", "cache,subscription_count"}}},
        {"/apps/3/channels/cache-none", {{"info", "cache"}}},
        {"/apps/3/channels/presence-room/users", {}},
        {"/apps/3/connections", {}},
    };
    for (const auto& [path, extra] : requests) {
        SCOPED_TRACE(path);
        const ApiResponse synchronous = get(path, extra);
        ASSERT_EQ(synchronous.status, 200) << synchronous.body;
        const ApiResponse answer = later(path, extra);
        EXPECT_EQ(answer.status, 200);
        EXPECT_EQ(answer.body, synchronous.body);
    }
}

TEST_F(AsyncReads, ChannelInfoWithCacheAsksBothReadsAtOnce) {
    occupy("cache-news", 1);
    const http::Request request =
        signedRequest("GET", "/apps/3/channels/cache-news", "", {{"info", "cache"}});
    ASSERT_FALSE(
        handler.handle(request, request.path, http::parseQuery(request.query), backend, [](ApiResponse) {})
            .has_value());
    EXPECT_EQ(reads.asked, (std::vector<std::string>{"channel", "cache"})) << "one round trip, not two";
    reads.asked.clear();
    (void)later("/apps/3/channels/lobby");
    EXPECT_EQ(reads.asked, std::vector<std::string>{"channel"}) << "no cache read unless info=cache";
}

TEST_F(AsyncReads, AnUnreadableStateIsThe503OfTheSynchronousPath) {
    state.unavailable = true;
    const ApiResponse synchronous = get("/apps/3/connections");
    state.unavailable = false;
    ASSERT_EQ(synchronous.status, 503);
    reads.unreadable = HeldReads::kEveryKind;
    for (const std::string path : {"/apps/3/channels", "/apps/3/channels/lobby",
                                   "/apps/3/channels/presence-a/users", "/apps/3/connections"}) {
        SCOPED_TRACE(path);
        const ApiResponse answer = later(path);
        EXPECT_EQ(answer.status, 503);
        EXPECT_EQ(answer.body, synchronous.body);
    }
    // With info=cache, either of the two reads failing alone is enough.
    for (const std::string kind : {"channel", "cache"}) {
        SCOPED_TRACE(kind);
        reads.unreadable = {kind};
        EXPECT_EQ(later("/apps/3/channels/cache-x", {{"info", "cache"}}).status, 503);
    }
}

TEST_F(AsyncReads, ChannelInfoWithCacheWaitsForBothReads) {
    occupy("cache-x", 1);
    const http::Request request = signedRequest("GET", "/apps/3/channels/cache-x", "", {{"info", "cache"}});
    state.throwing = true;
    const auto now = handler.handle(request, request.path, http::parseQuery(request.query), backend,
                                    [this](ApiResponse r) { completed.push_back(std::move(r)); });
    ASSERT_FALSE(now.has_value());
    ASSERT_EQ(reads.asked, (std::vector<std::string>{"channel", "cache"}));
    reads.answerFirst();
    EXPECT_TRUE(completed.empty()) << "the counts alone are not the answer";
    reads.answerFirst();
    state.throwing = false;
    ASSERT_EQ(completed.size(), 1u);
    EXPECT_EQ(completed[0].status, 200);
    EXPECT_NE(completed[0].body.find("\"occupied\":true"), std::string::npos) << completed[0].body;
    EXPECT_NE(completed[0].body.find("\"cache\":"), std::string::npos) << completed[0].body;
}

TEST_F(AsyncReads, RefusalsAreStillAnsweredAtOnce) {
    const http::Request request = signedRequest("GET", "/apps/3/channels/lobby/users");
    const auto answer = handler.handle(request, request.path, http::parseQuery(request.query), backend,
                                       [this](ApiResponse r) { completed.push_back(std::move(r)); });
    ASSERT_TRUE(answer.has_value());
    EXPECT_EQ(answer->status, 400);
    EXPECT_TRUE(reads.asked.empty());
}
