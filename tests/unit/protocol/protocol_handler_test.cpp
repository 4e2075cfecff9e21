// The Pusher protocol driven without sockets: a fake transport records what each peer would receive.
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "apps/AppRegistry.h"
#include "bus/InMemoryBus.h"
#include "crypto/ChannelAuth.h"
#include "dashboard/DebugTap.h"
#include "fake_transport.h"
#include "metrics/Metrics.h"
#include "pusher/EventName.h"
#include "pusher/ProtocolHandler.h"
#include "pusher/SubscriptionRefusal.h"
#include "state/InMemoryClusterState.h"

using namespace resound;

namespace {

using protocol_test::FakeTransport;
using protocol_test::payloadOf;

config::AppConfig testApp() {
    config::AppConfig app;
    app.id = "app-1";
    app.key = "key-1";
    app.secret = "secret-1";
    app.pingIntervalSeconds = 10;
    app.pongTimeoutSeconds = 5;
    return app;
}

class ProtocolTest : public ::testing::Test {
  protected:
    ProtocolTest()
        : apps_(makeApps()),
          metrics_(1),
          handler_(pusher::ProtocolHandler::Dependencies{apps_, state_, bus_, transport_, metrics_,
                                                         metrics_.loop(0), nullptr, &tap_}) {
        // Deliveries are queued and pumped, as the event loop does after each batch of events.
        bus_.addReceiver([this](const bus::BusMessagePtr& m) { pending_.push_back(m); });
        handler_.setNow(100);
    }

    static std::vector<config::AppConfig> makeApps() {
        auto restricted = testApp();
        restricted.id = "app-2";
        restricted.key = "key-2";
        restricted.allowedOrigins = {"example.com"};
        restricted.clientEvents = config::ClientEventsPolicy::None;
        auto origins = testApp();
        origins.id = "app-3";
        origins.key = "key-3";
        origins.allowedOrigins = {"app.example.com", "[::1]", "*.example.org"};
        return {testApp(), restricted, origins};
    }

    pusher::Peer& connect(std::string key = "key-1", std::string origin = "") {
        peers_.push_back(std::make_unique<pusher::Peer>());
        auto& peer = *peers_.back();
        handler_.open(peer, key, std::string_view("7"), origin);
        return peer;
    }

    void say(pusher::Peer& peer, const std::string& json) {
        handler_.onActivity(peer);
        handler_.onText(peer, json);
        pump();
    }

    void pump() {
        while (!pending_.empty()) {
            auto batch = std::move(pending_);
            pending_.clear();
            for (auto& m : batch) handler_.deliver(*m);
        }
    }

    std::vector<std::string>& inbox(pusher::Peer& peer) { return transport_.received[&peer]; }
    std::string last(pusher::Peer& peer) { return inbox(peer).empty() ? "" : inbox(peer).back(); }
    bool received(pusher::Peer& peer, const std::string& fragment) {
        for (auto& m : inbox(peer)) {
            if (m.find(fragment) != std::string::npos) return true;
        }
        return false;
    }

    std::string subscribePrivate(pusher::Peer& peer, const std::string& channel) {
        auto sig = crypto::channelSignature("secret-1", peer.socketId(), channel);
        return R"({"event":"pusher:subscribe","data":{"channel":")" + channel + R"(","auth":"key-1:)" + sig +
               R"("}})";
    }

    std::string subscribePresence(pusher::Peer& peer, const std::string& channel,
                                  const std::string& channelData) {
        auto sig = crypto::presenceSignature("secret-1", peer.socketId(), channel, channelData);
        std::string escaped;
        for (char c : channelData) {
            if (c == '"') escaped += '\\';
            escaped += c;
        }
        return R"({"event":"pusher:subscribe","data":{"channel":")" + channel + R"(","auth":"key-1:)" + sig +
               R"(","channel_data":")" + escaped + R"("}})";
    }

    apps::AppRegistry apps_;
    state::InMemoryClusterState state_;
    bus::InMemoryBus bus_;
    FakeTransport transport_;
    metrics::Metrics metrics_;
    dashboard::DebugTap tap_;  // nobody watches unless a test does
    pusher::ProtocolHandler handler_;
    std::vector<bus::BusMessagePtr> pending_;
    std::vector<std::unique_ptr<pusher::Peer>> peers_;
};

TEST_F(ProtocolTest, ConnectionEstablishedCarriesSocketIdAndActivityTimeoutAsString) {
    auto& peer = connect();
    ASSERT_EQ(inbox(peer).size(), 1u);
    std::string expected = R"({"event":"pusher:connection_established","data":"{\"socket_id\":\")" +
                           peer.socketId() + R"(\",\"activity_timeout\":30}"})";
    EXPECT_EQ(inbox(peer)[0], expected);
    EXPECT_TRUE(peer.isOpen());
    EXPECT_EQ(state_.connectionCount("app-1"), 1u);
}

TEST_F(ProtocolTest, UnknownKeyIsRejectedWith4001) {
    auto& peer = connect("nope");
    EXPECT_EQ(transport_.closeCodes[&peer], 4001);
    EXPECT_TRUE(received(peer, "\"code\":4001"));
    handler_.closed(peer);
}

TEST_F(ProtocolTest, ProtocolVersionChecks) {
    peers_.push_back(std::make_unique<pusher::Peer>());
    handler_.open(*peers_.back(), "key-1", std::nullopt, "");
    EXPECT_EQ(transport_.closeCodes[peers_.back().get()], 4008);
    peers_.push_back(std::make_unique<pusher::Peer>());
    handler_.open(*peers_.back(), "key-1", std::string_view("seven"), "");
    EXPECT_EQ(transport_.closeCodes[peers_.back().get()], 4006);
    peers_.push_back(std::make_unique<pusher::Peer>());
    handler_.open(*peers_.back(), "key-1", std::string_view("4"), "");
    EXPECT_EQ(transport_.closeCodes[peers_.back().get()], 4007);
}

TEST_F(ProtocolTest, OriginIsCheckedAgainstTheAllowList) {
    auto& denied = connect("key-2", "https://evil.test");
    EXPECT_EQ(transport_.closeCodes[&denied], 4009);
    auto& allowed = connect("key-2", "https://example.com:8443");
    EXPECT_TRUE(allowed.isOpen());
    auto& missing = connect("key-2", "");
    EXPECT_EQ(transport_.closeCodes[&missing], 4009);
}

// The cases where the edge and resound-auth used to disagree (issue #14): pusher/OriginRule.h now.
TEST_F(ProtocolTest, OriginHostsCompareCaseInsensitivelyAndIpv6LiteralsWithPortsMatch) {
    for (const char* origin : {"https://App.Example.com", "https://[::1]:8080", "https://x.EXAMPLE.org"}) {
        auto& peer = connect("key-3", origin);
        EXPECT_TRUE(peer.isOpen()) << origin;
        EXPECT_TRUE(received(peer, "pusher:connection_established")) << origin;
    }
    for (const char* origin : {"https://example.org", "https://[::2]:8080", "app.example.com", ""}) {
        auto& peer = connect("key-3", origin);
        EXPECT_EQ(transport_.closeCodes[&peer], 4009) << origin;
    }
}

TEST_F(ProtocolTest, PingGetsPongAndMalformedJsonGetsAnErrorButKeepsTheConnection) {
    auto& peer = connect();
    say(peer, R"({"event":"pusher:ping","data":{}})");
    EXPECT_EQ(last(peer), R"({"event":"pusher:pong","data":{}})");
    say(peer, "{not json");
    EXPECT_TRUE(received(peer, "pusher:error"));
    EXPECT_TRUE(peer.isOpen());
    say(peer, R"({"event":"pusher:ping"})");
    EXPECT_EQ(last(peer), R"({"event":"pusher:pong","data":{}})");
}

TEST_F(ProtocolTest, PublicSubscribeSucceedsAndReceivesBroadcasts) {
    auto& a = connect();
    auto& b = connect();
    say(a, R"({"event":"pusher:subscribe","data":{"channel":"news"}})");
    EXPECT_EQ(last(a), R"({"event":"pusher_internal:subscription_succeeded","channel":"news","data":"{}"})");
    EXPECT_EQ(state_.channel("app-1", "news")->subscriptionCount, 1u);
    auto message = std::make_shared<bus::BusMessage>();
    message->appId = "app-1";
    message->channel = "news";
    message->frame = std::make_shared<const std::string>(std::string("\x81\x02hi", 4));
    handler_.deliver(*message);
    EXPECT_EQ(last(a), "hi");
    EXPECT_EQ(inbox(b).size(), 1u);  // only connection_established
    say(a, R"({"event":"pusher:unsubscribe","data":{"channel":"news"}})");
    EXPECT_FALSE(state_.channel("app-1", "news").has_value());
}

TEST_F(ProtocolTest, PrivateChannelNeedsAValidSignature) {
    auto& peer = connect();
    say(peer, R"({"event":"pusher:subscribe","data":{"channel":"private-x","auth":"key-1:deadbeef"}})");
    EXPECT_TRUE(received(peer, R"("event":"pusher:subscription_error","channel":"private-x")"));
    EXPECT_TRUE(peer.isOpen());
    say(peer, subscribePrivate(peer, "private-x"));
    EXPECT_TRUE(received(peer, R"({"event":"pusher_internal:subscription_succeeded","channel":"private-x")"));
}

TEST_F(ProtocolTest, InvalidChannelNameIsASubscriptionError) {
    auto& peer = connect();
    say(peer, R"({"event":"pusher:subscribe","data":{"channel":"bad name!"}})");
    EXPECT_TRUE(received(peer, "pusher:subscription_error"));
    EXPECT_TRUE(peer.isOpen());
}

TEST_F(ProtocolTest, PresenceCountsUsersNotConnections) {
    auto& a1 = connect();
    auto& a2 = connect();
    auto& b = connect();
    const std::string userA = R"({"user_id":1,"user_info":{"name":"Ann"}})";
    say(b, subscribePresence(b, "presence-room", R"({"user_id":"2"})"));
    say(a1, subscribePresence(a1, "presence-room", userA));
    EXPECT_TRUE(received(a1, R"(\"count\":2)"));
    EXPECT_EQ(
        last(b),
        R"({"event":"pusher_internal:member_added","channel":"presence-room","data":"{\"user_id\":1,\"user_info\":{\"name\":\"Ann\"}}"})");
    auto before = inbox(b).size();
    say(a2, subscribePresence(a2, "presence-room", userA));
    EXPECT_EQ(inbox(b).size(), before);  // same user again: no member_added
    EXPECT_TRUE(received(a2, R"(\"count\":2)"));

    handler_.closed(a1);
    pump();
    EXPECT_EQ(inbox(b).size(), before);  // a2 still holds user 1
    say(a2, R"({"event":"pusher:unsubscribe","data":{"channel":"presence-room"}})");
    EXPECT_EQ(
        last(b),
        R"({"event":"pusher_internal:member_removed","channel":"presence-room","data":"{\"user_id\":1}"})");
    EXPECT_EQ(state_.channel("app-1", "presence-room")->userCount, 1u);
}

TEST_F(ProtocolTest, PresenceRosterCapIsEnforced) {
    apps::AppRegistry apps({[] {
        auto app = testApp();
        app.maxPresenceMembers = 1;
        return app;
    }()});
    pusher::ProtocolHandler handler({apps, state_, bus_, transport_, metrics_, metrics_.loop(0)});
    pusher::Peer a, b;
    handler.open(a, "key-1", std::string_view("7"), "");
    handler.open(b, "key-1", std::string_view("7"), "");
    handler.onText(a, subscribePresence(a, "presence-full", R"({"user_id":"1"})"));
    handler.onText(b, subscribePresence(b, "presence-full", R"({"user_id":"2"})"));
    EXPECT_TRUE(received(b, R"("status":4100)"));
    handler.closed(a);
    handler.closed(b);
}

TEST_F(ProtocolTest, ClientEventsGoToOtherMembersWithUserIdOnPresence) {
    auto& a = connect();
    auto& b = connect();
    say(a, subscribePresence(a, "presence-chat", R"({"user_id":"alice"})"));
    say(b, subscribePresence(b, "presence-chat", R"({"user_id":"bob"})"));
    auto aBefore = inbox(a).size();
    say(a, R"({"event":"client-typing","channel":"presence-chat","data":{"typing":true}})");
    EXPECT_EQ(
        last(b),
        R"({"event":"client-typing","channel":"presence-chat","data":{"typing":true},"user_id":"alice"})");
    EXPECT_EQ(inbox(a).size(), aBefore);  // never echoed
}

TEST_F(ProtocolTest, ClientEventRules) {
    auto& a = connect();
    say(a, R"({"event":"pusher:subscribe","data":{"channel":"public"}})");
    say(a, R"({"event":"client-x","channel":"public","data":{}})");
    EXPECT_TRUE(received(a, "\"code\":4301"));
    say(a, R"({"event":"client-x","channel":"private-not-joined","data":{}})");
    EXPECT_TRUE(received(a, "\"code\":4009"));
    EXPECT_TRUE(a.isOpen());

    auto& disabled = connect("key-2", "https://example.com");
    say(disabled, subscribePrivate(disabled, "private-y"));  // signed with app-1's secret: refused
    say(disabled, R"({"event":"client-x","channel":"private-y","data":{}})");
    EXPECT_TRUE(received(disabled, "Client events are disabled"));
}

TEST_F(ProtocolTest, ClientEventNameLimitIsTwoHundredCharacters) {
    auto& a = connect();
    auto& b = connect();
    say(a, subscribePrivate(a, "private-n"));
    say(b, subscribePrivate(b, "private-n"));
    const std::string longest = "client-" + std::string(pusher::kMaxEventNameLength - 7, 'x');
    say(a, R"({"event":")" + longest + R"(","channel":"private-n","data":{}})");
    EXPECT_TRUE(received(b, longest));
    say(a, R"({"event":")" + longest + R"(y","channel":"private-n","data":{}})");
    EXPECT_TRUE(received(a, "longer than 200 characters"));
    EXPECT_FALSE(received(b, longest + "y"));
}

// Each refusal carries the type and status named in pusher/SubscriptionRefusal.h (docs/protocol.md §1.8).
TEST_F(ProtocolTest, SubscriptionErrorsCarryTheNamedStatuses) {
    const auto expectRefusal = [&](pusher::Peer& peer, const std::string& channel,
                                   pusher::SubscriptionRefusal why) {
        EXPECT_TRUE(received(
            peer, R"("channel":")" + channel + R"(","data":{"type":")" + std::string(why.type) + R"(",)"))
            << channel;
        EXPECT_TRUE(received(peer, R"("status":)" + std::to_string(why.status) + "}}")) << channel;
    };
    auto& a = connect();
    say(a, R"({"event":"pusher:subscribe","data":{"channel":"bad name!"}})");
    expectRefusal(a, "bad name!", pusher::refusal::InvalidChannel);
    auto& b = connect();
    say(b, R"({"event":"pusher:subscribe","data":{"channel":"private-x","auth":"key-1:deadbeef"}})");
    expectRefusal(b, "private-x", pusher::refusal::BadSignature);
    auto& c = connect();
    say(c, subscribePresence(c, "presence-x", R"({"no_user_id":1})"));
    expectRefusal(c, "presence-x", pusher::refusal::BadChannelData);
    auto& d = connect();
    say(d, subscribePresence(d, "presence-y",
                             R"({"user_id":"1","user_info":")" + std::string(2000, 'i') + R"("})"));
    expectRefusal(d, "presence-y", pusher::refusal::UserInfoTooLarge);
    auto& e = connect();
    say(e, R"({"event":"pusher:subscribe","data":{"channel":"#server-to-user-42"}})");
    expectRefusal(e, "#server-to-user-42", pusher::refusal::NotThisUser);
    EXPECT_EQ(pusher::refusal::BadSignature.status, 401);
    EXPECT_EQ(pusher::refusal::BadChannelData.status, 400);
    EXPECT_EQ(pusher::refusal::InvalidChannel.status, 4009);
    EXPECT_EQ(pusher::refusal::UserInfoTooLarge.status, 4301);
    EXPECT_EQ(pusher::refusal::PresenceFull.status, 4100);
}

TEST_F(ProtocolTest, ClientEventsAreRateLimitedPerSecond) {
    auto& a = connect();
    auto& b = connect();
    say(a, subscribePrivate(a, "private-r"));
    say(b, subscribePrivate(b, "private-r"));
    auto before = inbox(b).size();
    for (int i = 0; i < 15; ++i) say(a, R"({"event":"client-n","channel":"private-r","data":"x"})");
    EXPECT_EQ(inbox(b).size() - before, 10u);
    EXPECT_TRUE(received(a, "rate limit"));
    handler_.setNow(101);
    say(a, R"({"event":"client-n","channel":"private-r","data":"x"})");
    EXPECT_EQ(inbox(b).size() - before, 11u);
}

TEST_F(ProtocolTest, SigninAndServerToUserChannel) {
    auto& a = connect();
    auto& other = connect();
    const std::string userData = R"({"id":"42","user_info":{}})";
    auto sig = crypto::userSigninSignature("secret-1", a.socketId(), userData);
    say(a, R"({"event":"pusher:signin","data":{"auth":"key-1:)" + sig +
               R"(","user_data":"{\"id\":\"42\",\"user_info\":{}}"}})");
    EXPECT_EQ(last(a),
              R"({"event":"pusher:signin_success","data":{"user_data":"{\"id\":\"42\",\"user_info\":{}}"}})");
    say(a, R"({"event":"pusher:subscribe","data":{"channel":"#server-to-user-42"}})");
    EXPECT_TRUE(received(a, R"(subscription_succeeded","channel":"#server-to-user-42")"));
    say(other, R"({"event":"pusher:subscribe","data":{"channel":"#server-to-user-42"}})");
    EXPECT_TRUE(received(other, "pusher:subscription_error"));

    say(other, R"({"event":"pusher:signin","data":{"auth":"key-1:00","user_data":"{\"id\":\"7\"}"}})");
    EXPECT_TRUE(received(other, "\"code\":4009"));

    auto terminate = std::make_shared<bus::BusMessage>();
    terminate->kind = bus::BusMessage::Kind::TerminateUser;
    terminate->appId = "app-1";
    terminate->userId = "42";
    handler_.deliver(*terminate);
    EXPECT_EQ(transport_.closeCodes[&a], 4009);
    EXPECT_FALSE(transport_.closeCodes.count(&other));
}

// terminate_connections' scope (docs/protocol.md §1.12): signed-in connections of the user AND
// connections in a presence channel as that user id, signed in or not (Pusher's and Reverb's union).
TEST_F(ProtocolTest, TerminateUserAlsoClosesPresenceMembersThatNeverSignedIn) {
    auto& member = connect();
    auto& otherMember = connect();
    auto& publicOnly = connect();
    say(member, subscribePresence(member, "presence-t", R"({"user_id":"7"})"));
    say(otherMember, subscribePresence(otherMember, "presence-t", R"({"user_id":"8"})"));
    say(publicOnly, R"({"event":"pusher:subscribe","data":{"channel":"seven"}})");
    ASSERT_TRUE(member.userId().empty());  // never signed in

    bus::BusMessage terminate;
    terminate.kind = bus::BusMessage::Kind::TerminateUser;
    terminate.appId = "app-1";
    terminate.userId = "7";
    handler_.deliver(terminate);
    EXPECT_EQ(transport_.closeCodes[&member], 4009);
    EXPECT_TRUE(received(member, "You got disconnected by the app."));
    EXPECT_FALSE(transport_.closeCodes.count(&otherMember));
    EXPECT_FALSE(transport_.closeCodes.count(&publicOnly));

    terminate.appId = "app-2";  // another app's user 8 is not this app's
    terminate.userId = "8";
    handler_.deliver(terminate);
    EXPECT_FALSE(transport_.closeCodes.count(&otherMember));
}

TEST_F(ProtocolTest, CacheChannelReplaysLastEventOrSaysMiss) {
    auto& a = connect();
    say(a, R"({"event":"pusher:subscribe","data":{"channel":"cache-prices"}})");
    EXPECT_EQ(last(a), R"({"event":"pusher:cache_miss","channel":"cache-prices"})");
    state_.storeCachedEvent("app-1", "cache-prices",
                            R"({"event":"tick","channel":"cache-prices","data":"1"})", 60);
    auto& b = connect();
    say(b, R"({"event":"pusher:subscribe","data":{"channel":"cache-prices"}})");
    EXPECT_EQ(last(b), R"({"event":"tick","channel":"cache-prices","data":"1"})");
}

TEST_F(ProtocolTest, ServerPingsIdleConnectionsAndClosesWithoutPong) {
    auto& quiet = connect();
    auto& lively = connect();
    handler_.setNow(111);
    handler_.tick();
    EXPECT_EQ(last(quiet), R"({"event":"pusher:ping","data":{}})");
    say(lively, R"({"event":"pusher:pong","data":{}})");
    handler_.setNow(117);
    handler_.tick();
    EXPECT_EQ(transport_.closeCodes[&quiet], 4201);
    EXPECT_FALSE(transport_.closeCodes.count(&lively));
}

TEST_F(ProtocolTest, ClosedReleasesEverything) {
    auto& a = connect();
    say(a, R"({"event":"pusher:subscribe","data":{"channel":"c1"}})");
    say(a, subscribePresence(a, "presence-p", R"({"user_id":"u"})"));
    handler_.closed(a);
    pump();
    EXPECT_FALSE(state_.channel("app-1", "c1").has_value());
    EXPECT_FALSE(state_.channel("app-1", "presence-p").has_value());
    EXPECT_EQ(state_.connectionCount("app-1"), 0u);
    EXPECT_EQ(handler_.localChannelCount(), 0u);
    EXPECT_TRUE(handler_.peers().empty());
}

}  // namespace

// The debug console: what each kind of row carries, that nothing is built without a watch, and that a
// watch's filter decides which rows it sees.
namespace {

dashboard::DebugFilter debugFilter(std::string app, std::string channel = "", std::string event = "") {
    dashboard::DebugFilter filter;
    filter.appId = std::move(app);
    filter.channel = std::move(channel);
    filter.event = std::move(event);
    return filter;
}

using Kind = dashboard::DebugEvent::Kind;

}  // namespace

class ProtocolDebugTap : public ProtocolTest {
  protected:
    std::unique_ptr<dashboard::DebugTap::Watch> watch(dashboard::DebugFilter filter) {
        return tap_.watch(std::move(filter),
                          [this](const dashboard::DebugEvent& event) { seen.push_back(event); });
    }
    std::vector<dashboard::DebugEvent> ofKind(Kind kind) const {
        std::vector<dashboard::DebugEvent> out;
        for (const auto& event : seen) {
            if (event.kind == kind) out.push_back(event);
        }
        return out;
    }
    std::vector<dashboard::DebugEvent> seen;
};

TEST_F(ProtocolDebugTap, EachKindCarriesItsFields) {
    auto watching = watch(debugFilter("app-1"));
    auto& a = connect("key-1", "https://shop.example");
    auto& b = connect();
    ASSERT_EQ(ofKind(Kind::Connected).size(), 2u);
    const auto connected = ofKind(Kind::Connected)[0];
    EXPECT_EQ(connected.appId, "app-1");
    EXPECT_EQ(connected.node, "");
    EXPECT_EQ(connected.socketId, a.socketId());
    EXPECT_EQ(connected.detail, "https://shop.example");
    EXPECT_GT(connected.timeMs, 1'600'000'000'000);

    say(a, subscribePrivate(a, "private-room"));
    say(b, subscribePrivate(b, "private-room"));
    ASSERT_EQ(ofKind(Kind::Subscribed).size(), 2u);
    EXPECT_EQ(ofKind(Kind::Subscribed)[0].channel, "private-room");
    EXPECT_EQ(ofKind(Kind::Subscribed)[0].socketId, a.socketId());

    say(a, R"({"event":"pusher:subscribe","data":{"channel":"private-x","auth":"key-1:deadbeef"}})");
    ASSERT_EQ(ofKind(Kind::SubscriptionError).size(), 1u);
    const auto refused = ofKind(Kind::SubscriptionError)[0];
    EXPECT_EQ(refused.channel, "private-x");
    EXPECT_EQ(refused.code, 401);
    EXPECT_NE(refused.detail.find("Invalid signature"), std::string::npos) << refused.detail;

    say(a, R"({"event":"client-typing","channel":"private-room","data":{"who":"ann"}})");
    ASSERT_EQ(ofKind(Kind::ClientEvent).size(), 1u);
    const auto whisper = ofKind(Kind::ClientEvent)[0];
    EXPECT_EQ(whisper.channel, "private-room");
    EXPECT_EQ(whisper.event, "client-typing");
    EXPECT_EQ(whisper.socketId, a.socketId());
    EXPECT_EQ(whisper.detail, R"({"who":"ann"})");
    EXPECT_EQ(whisper.bytes, whisper.detail.size());

    say(b, R"({"event":"pusher:unsubscribe","data":{"channel":"private-room"}})");
    ASSERT_EQ(ofKind(Kind::Unsubscribed).size(), 1u);
    EXPECT_EQ(ofKind(Kind::Unsubscribed)[0].socketId, b.socketId());
    EXPECT_EQ(ofKind(Kind::Unsubscribed)[0].channel, "private-room");

    // Closed by the server (no pong): the code and the reason; gone without a close frame: code 0.
    handler_.setNow(111);
    handler_.tick();
    say(b, R"({"event":"pusher:pong","data":{}})");
    handler_.setNow(117);
    handler_.tick();
    ASSERT_EQ(transport_.closeCodes[&a], 4201);
    handler_.closed(a);
    handler_.closed(b);
    const auto gone = ofKind(Kind::Disconnected);
    ASSERT_EQ(gone.size(), 2u);
    EXPECT_EQ(gone[0].socketId, a.socketId());
    EXPECT_EQ(gone[0].code, 4201);
    EXPECT_EQ(gone[0].detail, "Pong reply not received in time");
    EXPECT_EQ(gone[1].code, 0);
    EXPECT_FALSE(gone[1].detail.empty());
    // a's leave of private-room follows its disconnect row.
    EXPECT_EQ(ofKind(Kind::Unsubscribed).size(), 2u);
}

TEST_F(ProtocolDebugTap, NothingIsEmittedOrKeptWithoutAWatch) {
    auto& a = connect();
    say(a, subscribePrivate(a, "private-room"));
    say(a, R"({"event":"client-typing","channel":"private-room","data":{}})");
    {
        auto elsewhere = watch(debugFilter("app-2"));  // another app's console
        say(a, R"({"event":"client-typing","channel":"private-room","data":{}})");
    }
    handler_.setNow(111);
    handler_.tick();
    handler_.setNow(117);
    handler_.tick();
    ASSERT_EQ(a.closeCode, 4201);
    EXPECT_TRUE(a.closeReason().empty()) << "the reason is copied only while a console watches";
    handler_.closed(a);
    EXPECT_TRUE(seen.empty());
}

TEST_F(ProtocolDebugTap, TheFilterDecidesWhichRowsAWatchSees) {
    auto watching = watch(debugFilter("app-1", "private-room*", "client-t*"));
    auto& a = connect();
    say(a, subscribePrivate(a, "private-room.1"));
    say(a, subscribePrivate(a, "private-other"));
    say(a, R"({"event":"client-typing","channel":"private-room.1","data":1})");
    say(a, R"({"event":"client-moved","channel":"private-room.1","data":2})");
    say(a, R"({"event":"client-typing","channel":"private-other","data":3})");
    handler_.closed(a);
    // Connections concern no channel and subscriptions no event name: a filter on both takes neither.
    ASSERT_EQ(seen.size(), 1u);
    EXPECT_EQ(seen[0].kind, Kind::ClientEvent);
    EXPECT_EQ(seen[0].detail, "1");

    seen.clear();
    auto channelsOnly = watch(debugFilter("app-1", "private-room*"));
    auto& b = connect();
    say(b, subscribePrivate(b, "private-room.2"));
    say(b, subscribePrivate(b, "private-other"));
    ASSERT_EQ(ofKind(Kind::Subscribed).size(), 1u);
    EXPECT_EQ(ofKind(Kind::Subscribed)[0].channel, "private-room.2");
    EXPECT_TRUE(ofKind(Kind::Connected).empty());
}

TEST_F(ProtocolDebugTap, RateLimitHitsAreCounted) {
    auto& a = connect();
    say(a, subscribePrivate(a, "private-r"));
    for (int i = 0; i < 13; ++i) say(a, R"({"event":"client-n","channel":"private-r","data":"x"})");
    EXPECT_EQ(metrics_.rateLimitHits(), 3u);
    EXPECT_NE(metrics_.renderPrometheus().find("resound_client_events_rate_limited_total 3"),
              std::string::npos);
}
