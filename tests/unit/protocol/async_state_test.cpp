// The protocol when the cluster state answers later (Redis mode): nothing is told before its answer,
// answers for connections that left or channels unsubscribed meanwhile are taken back, and the
// answers of one connection keep their order. A deferred LoopClusterState over the in-memory state
// holds every answer until the test releases it.
#include <gtest/gtest.h>

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "apps/AppRegistry.h"
#include "bus/InMemoryBus.h"
#include "crypto/ChannelAuth.h"
#include "fake_transport.h"
#include "metrics/Metrics.h"
#include "pusher/ProtocolHandler.h"
#include "state/InMemoryClusterState.h"
#include "state/LoopClusterState.h"

using namespace resound;

namespace {

using protocol_test::FakeTransport;
using protocol_test::payloadOf;

// Applies each call to the in-memory state when released, in call order, as one Redis connection
// answers a pipeline; records the calls by name.
class DeferredState final : public state::LoopClusterState {
  public:
    explicit DeferredState(state::ClusterState& state) : state_(state) {}

    void addSubscription(const std::string& a, const std::string& c, Done<std::size_t> done) override {
        defer("addSubscription " + c, [=, this] { done(state_.addSubscription(a, c)); });
    }
    void removeSubscription(const std::string& a, const std::string& c, Done<std::size_t> done) override {
        defer("removeSubscription " + c, [=, this] { done(state_.removeSubscription(a, c)); });
    }
    void joinPresence(const std::string& a, const std::string& c, const state::PresenceMember& m,
                      std::size_t max, Done<state::PresenceJoin> done) override {
        defer("joinPresence " + c + " " + m.userKey, [=, this] { done(state_.joinPresence(a, c, m, max)); });
    }
    void leavePresence(const std::string& a, const std::string& c, const std::string& u,
                       Done<bool> done) override {
        defer("leavePresence " + c + " " + u, [=, this] { done(state_.leavePresence(a, c, u)); });
    }
    void presenceMembers(const std::string& a, const std::string& c,
                         Done<std::vector<state::PresenceMember>> done) override {
        defer("presenceMembers " + c, [=, this] { done(state_.presenceMembers(a, c)); });
    }
    void cachedEvent(const std::string& a, const std::string& c,
                     Done<std::optional<state::CachedEvent>> done) override {
        defer("cachedEvent " + c, [=, this] { done(state_.cachedEvent(a, c)); });
    }
    void tryAddConnection(const std::string& a, std::size_t limit, Done<bool> done) override {
        defer("tryAddConnection", [=, this] { done(state_.tryAddConnection(a, limit)); });
    }
    void removeConnection(const std::string& a) override {
        defer("removeConnection", [=, this] { state_.removeConnection(a); });
    }

    // Answers everything asked so far, and what those answers ask in turn.
    void answerAll() {
        while (!queue_.empty()) {
            auto next = std::move(queue_.front());
            queue_.pop_front();
            next();
        }
    }
    std::vector<std::string> calls;

  private:
    void defer(std::string name, std::function<void()> answer) {
        calls.push_back(std::move(name));
        queue_.push_back(std::move(answer));
    }
    state::ClusterState& state_;
    std::deque<std::function<void()>> queue_;
};

config::AppConfig app(const std::string& id, std::size_t maxConnections) {
    config::AppConfig a;
    a.id = id;
    a.key = id + "-key";
    a.secret = "secret";
    a.maxConnections = maxConnections;
    return a;
}

class AsyncStateTest : public ::testing::Test {
  protected:
    AsyncStateTest()
        : apps_(std::vector<config::AppConfig>{app("open", 0), app("quota", 1)}),
          metrics_(1),
          deferred_(state_),
          handler_(pusher::ProtocolHandler::Dependencies{apps_, state_, bus_, transport_, metrics_,
                                                         metrics_.loop(0), nullptr, nullptr, &deferred_}) {
        bus_.addReceiver([this](const bus::BusMessagePtr& m) { published_.push_back(m); });
    }

    pusher::Peer& connect(const std::string& key = "open-key") {
        peers_.push_back(std::make_unique<pusher::Peer>());
        handler_.open(*peers_.back(), key, std::string_view("7"), "");
        return *peers_.back();
    }
    void say(pusher::Peer& peer, const std::string& json) { handler_.onText(peer, json); }
    void subscribe(pusher::Peer& peer, const std::string& channel) {
        say(peer, R"({"event":"pusher:subscribe","data":{"channel":")" + channel + R"("}})");
    }
    void subscribePresence(pusher::Peer& peer, const std::string& channel, const std::string& user) {
        const std::string data = R"({"user_id":")" + user + R"("})";
        const auto sig = crypto::presenceSignature("secret", peer.socketId(), channel, data);
        std::string escaped;
        for (char c : data) {
            if (c == '"') escaped += '\\';
            escaped += c;
        }
        say(peer, R"({"event":"pusher:subscribe","data":{"channel":")" + channel + R"(","auth":"open-key:)" +
                      sig + R"(","channel_data":")" + escaped + R"("}})");
    }
    std::size_t count(pusher::Peer& peer, const std::string& fragment) {
        std::size_t n = 0;
        for (const auto& m : transport_.received[&peer]) n += m.find(fragment) != std::string::npos;
        return n;
    }
    std::size_t publishedContaining(const std::string& fragment) {
        std::size_t n = 0;
        for (const auto& m : published_) n += m->frame->find(fragment) != std::string::npos;
        return n;
    }
    std::optional<state::ChannelSummary> summary(const std::string& channel) {
        return state_.channel("open", channel);
    }

    apps::AppRegistry apps_;
    state::InMemoryClusterState state_;
    bus::InMemoryBus bus_;
    FakeTransport transport_;
    metrics::Metrics metrics_;
    DeferredState deferred_;
    pusher::ProtocolHandler handler_;
    std::vector<std::unique_ptr<pusher::Peer>> peers_;
    std::vector<bus::BusMessagePtr> published_;
};

TEST_F(AsyncStateTest, ConnectionsWithoutAQuotaAreEstablishedAtOnceAndCountedLater) {
    auto& peer = connect();
    EXPECT_EQ(count(peer, "pusher:connection_established"), 1u);
    EXPECT_EQ(state_.connectionCount("open"), 0u);
    deferred_.answerAll();
    EXPECT_EQ(state_.connectionCount("open"), 1u);
    handler_.closed(peer);
    deferred_.answerAll();
    EXPECT_EQ(state_.connectionCount("open"), 0u);
}

TEST_F(AsyncStateTest, AQuotaIsCheckedBeforeTheConnectionIsEstablished) {
    auto& first = connect("quota-key");
    EXPECT_EQ(count(first, "pusher:connection_established"), 0u) << "not before the cluster counted it";
    auto& second = connect("quota-key");
    deferred_.answerAll();
    EXPECT_EQ(count(first, "pusher:connection_established"), 1u);
    EXPECT_EQ(count(second, "pusher:connection_established"), 0u);
    EXPECT_EQ(transport_.closeCodes[&second], 4004);
    EXPECT_EQ(state_.connectionCount("quota"), 1u);
}

TEST_F(AsyncStateTest, MessagesSentBeforeAQuotaAdmissionAreHandledInOrderOnceEstablished) {
    auto& peer = connect("quota-key");
    say(peer, R"({"event":"pusher:ping","data":{}})");
    subscribe(peer, "news");
    EXPECT_TRUE(transport_.received[&peer].empty()) << "nothing before the admission";
    deferred_.answerAll();  // the admission, then what the early subscribe asks
    const auto& got = transport_.received[&peer];
    ASSERT_EQ(got.size(), 3u);
    EXPECT_NE(got[0].find("pusher:connection_established"), std::string::npos) << got[0];
    EXPECT_NE(got[1].find("pusher:pong"), std::string::npos) << got[1];
    EXPECT_NE(got[2].find("pusher_internal:subscription_succeeded"), std::string::npos) << got[2];
    EXPECT_EQ(state_.channel("quota", "news")->subscriptionCount, 1u);
}

TEST_F(AsyncStateTest, AFloodBeforeTheAdmissionClosesTheConnectionWith4100) {
    auto& peer = connect("quota-key");
    for (int i = 0; i < 101; ++i) say(peer, R"({"event":"pusher:ping","data":{}})");
    EXPECT_EQ(transport_.closeCodes[&peer], 4100);
    deferred_.answerAll();
    EXPECT_EQ(count(peer, "pusher:connection_established"), 0u);
    EXPECT_EQ(count(peer, "pusher:pong"), 0u);
    EXPECT_EQ(state_.connectionCount("quota"), 0u) << "its slot is given back";
}

TEST_F(AsyncStateTest, AConnectionThatLeavesBeforeItsAdmissionIsAnsweredGivesItsSlotBack) {
    auto& peer = connect("quota-key");
    handler_.closed(peer);
    deferred_.answerAll();
    EXPECT_TRUE(transport_.received[&peer].empty());
    EXPECT_EQ(state_.connectionCount("quota"), 0u);
}

TEST_F(AsyncStateTest, ShutdownClosesConnectionsStillWaitingForTheirAdmission) {
    auto& peer = connect("quota-key");
    handler_.closeAll(4200, "Server shutting down, please reconnect");
    EXPECT_EQ(transport_.closeCodes[&peer], 4200);
    deferred_.answerAll();
    EXPECT_EQ(count(peer, "pusher:connection_established"), 0u);
    EXPECT_EQ(state_.connectionCount("quota"), 0u) << "the slot counted meanwhile was given back";
}

TEST_F(AsyncStateTest, SubscriptionSucceededWaitsForTheClusterCount) {
    auto& peer = connect();
    deferred_.answerAll();
    subscribe(peer, "news");
    EXPECT_EQ(count(peer, "subscription_succeeded"), 0u);
    deferred_.answerAll();
    EXPECT_EQ(count(peer, "subscription_succeeded"), 1u);
    ASSERT_TRUE(summary("news"));
    EXPECT_EQ(summary("news")->subscriptionCount, 1u);
    // Subscribed now: deliveries reach it.
    EXPECT_EQ(handler_.localChannelCount(), 1u);
}

TEST_F(AsyncStateTest, ASubscribeAnsweredAfterTheClientLeftIsTakenBack) {
    auto& peer = connect();
    auto& other = connect();
    deferred_.answerAll();
    subscribe(peer, "news");
    handler_.closed(peer);
    deferred_.answerAll();
    EXPECT_EQ(count(peer, "subscription_succeeded"), 0u);
    EXPECT_FALSE(summary("news")) << "counted, then taken back";
    EXPECT_EQ(handler_.localChannelCount(), 0u);
    // The loop's other clients are unaffected and the channel works for them.
    subscribe(other, "news");
    deferred_.answerAll();
    EXPECT_EQ(count(other, "subscription_succeeded"), 1u);
    EXPECT_EQ(summary("news")->subscriptionCount, 1u);
}

TEST_F(AsyncStateTest, AnUnsubscribeRacingItsOwnSubscribeLeavesNothingBehind) {
    auto& peer = connect();
    deferred_.answerAll();
    subscribe(peer, "news");
    say(peer, R"({"event":"pusher:unsubscribe","data":{"channel":"news"}})");
    deferred_.answerAll();
    EXPECT_EQ(count(peer, "subscription_succeeded"), 0u);
    EXPECT_FALSE(summary("news"));
    EXPECT_EQ(handler_.localChannelCount(), 0u);
    EXPECT_TRUE(peer.subscriptions.empty());
    // Subscribing again afterwards is a new subscribe, answered once.
    subscribe(peer, "news");
    deferred_.answerAll();
    EXPECT_EQ(count(peer, "subscription_succeeded"), 1u);
    EXPECT_EQ(summary("news")->subscriptionCount, 1u);
}

TEST_F(AsyncStateTest, ASubscribeRepeatedWhileItsAnswerIsPendingIsAnsweredOnce) {
    auto& peer = connect();
    deferred_.answerAll();
    subscribe(peer, "news");
    subscribe(peer, "news");
    deferred_.answerAll();
    EXPECT_EQ(count(peer, "subscription_succeeded"), 1u);
    EXPECT_EQ(summary("news")->subscriptionCount, 1u);
}

TEST_F(AsyncStateTest, APresenceJoinAnsweredAfterTheClientLeftIsNeverAnnounced) {
    auto& alice = connect();
    auto& bob = connect();
    deferred_.answerAll();
    subscribePresence(bob, "presence-room", "bob");
    deferred_.answerAll();
    ASSERT_EQ(count(bob, "subscription_succeeded"), 1u);
    published_.clear();  // bob's own member_added

    subscribePresence(alice, "presence-room", "alice");
    handler_.closed(alice);
    deferred_.answerAll();
    EXPECT_EQ(publishedContaining("member_added"), 0u);
    EXPECT_EQ(publishedContaining("member_removed"), 0u);
    const auto members = state_.presenceMembers("open", "presence-room");
    ASSERT_EQ(members.size(), 1u);
    EXPECT_EQ(members[0].userKey, "bob");
}

TEST_F(AsyncStateTest, APresenceSubscribeSendsTheRosterThenAnnouncesTheMember) {
    auto& alice = connect();
    deferred_.answerAll();
    subscribePresence(alice, "presence-room", "alice");
    EXPECT_EQ(publishedContaining("member_added"), 0u);
    deferred_.answerAll();
    EXPECT_EQ(count(alice, "subscription_succeeded"), 1u);
    EXPECT_EQ(publishedContaining("member_added"), 1u);
    // Leaving announces it once the cluster said it was the user's last connection.
    handler_.closed(alice);
    EXPECT_EQ(publishedContaining("member_removed"), 0u);
    deferred_.answerAll();
    EXPECT_EQ(publishedContaining("member_removed"), 1u);
}

TEST_F(AsyncStateTest, OneIterationsCallsAreAskedInTheOrderTheClientMadeThem) {
    auto& peer = connect();
    deferred_.answerAll();
    deferred_.calls.clear();
    subscribe(peer, "a");
    subscribe(peer, "b");
    say(peer, R"({"event":"pusher:unsubscribe","data":{"channel":"a"}})");
    deferred_.answerAll();
    EXPECT_EQ(deferred_.calls,
              (std::vector<std::string>{"addSubscription a", "addSubscription b", "removeSubscription a"}));
    EXPECT_EQ(count(peer, "subscription_succeeded\",\"channel\":\"b"), 1u);
    EXPECT_EQ(count(peer, "subscription_succeeded\",\"channel\":\"a"), 0u);
    EXPECT_EQ(handler_.localChannelCount(), 1u);
}

}  // namespace
