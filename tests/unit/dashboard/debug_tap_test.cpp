#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "dashboard/DebugEvent.h"
#include "dashboard/DebugFilter.h"
#include "dashboard/DebugTap.h"

namespace resound::dashboard {
namespace {

DebugFilter filterOf(std::string app, std::string channel, std::string event) {
    DebugFilter filter;
    filter.appId = std::move(app);
    filter.channel = std::move(channel);
    filter.event = std::move(event);
    return filter;
}

DebugEvent apiEvent(std::string app, std::string channel, std::string name) {
    DebugEvent event;
    event.kind = DebugEvent::Kind::ApiEvent;
    event.timeMs = 1'700'000'000'123;
    event.appId = std::move(app);
    event.channel = std::move(channel);
    event.event = std::move(name);
    return event;
}

TEST(WildcardMatch, LiteralStarsAndEmpty) {
    EXPECT_TRUE(wildcardMatch("orders", "orders"));
    EXPECT_FALSE(wildcardMatch("orders", "orders-1"));
    EXPECT_TRUE(wildcardMatch("private-*", "private-orders.1"));
    EXPECT_TRUE(wildcardMatch("*orders*", "private-orders.1"));
    EXPECT_TRUE(wildcardMatch("*", ""));
    EXPECT_TRUE(wildcardMatch("a*b*c", "aXbYbZc"));
    EXPECT_FALSE(wildcardMatch("a*b*c", "aXbYbZ"));
    EXPECT_FALSE(wildcardMatch("Orders", "orders"));  // channel names are case-sensitive
}

TEST(WildcardMatch, PathologicalPatternStaysCheap) {
    const std::string text(200, 'a');
    const std::string pattern = std::string(99, '*') + "a*b";  // never matches, worst case for backtracking
    EXPECT_FALSE(wildcardMatch(pattern, text));
}

TEST(DebugFilter, RefusesRegexSyntaxWithAClearMessage) {
    DebugFilter filter = filterOf("app", "(a+)+$", "");
    const auto problem = filter.problem();
    ASSERT_TRUE(problem);
    EXPECT_NE(problem->find("regular expressions are not supported"), std::string::npos) << *problem;

    filter = filterOf("app", "", "[a-z]+");
    ASSERT_TRUE(filter.problem());
}

TEST(DebugFilter, RefusesLongPatternsAndMissingApp) {
    EXPECT_TRUE((filterOf("", "", "").problem()));
    EXPECT_TRUE((filterOf("app", std::string(kMaxPatternLength + 1, 'a'), "").problem()));
    EXPECT_FALSE((filterOf("app", std::string(kMaxPatternLength, 'a'), "").problem()));
}

TEST(DebugFilter, AcceptsLaravelEventNamesAndChannelNames) {
    EXPECT_FALSE((filterOf("a", "presence-room.*", "App\\Events\\*").problem()));
    EXPECT_FALSE((filterOf("a", "private-encrypted-x=@,.;", "pusher:*").problem()));
}

TEST(DebugFilter, MatchesAppChannelAndEvent) {
    const DebugFilter filter{.appId = "app", .channel = "orders.*", .event = "client-*"};
    EXPECT_TRUE(filter.matches("app", "orders.1", "client-typing"));
    EXPECT_FALSE(filter.matches("other", "orders.1", "client-typing"));
    EXPECT_FALSE(filter.matches("app", "chat", "client-typing"));
    EXPECT_FALSE(filter.matches("app", "orders.1", "OrderShipped"));
    // A channel filter excludes what concerns no channel (connections).
    EXPECT_FALSE(filter.matches("app", "", ""));
    EXPECT_TRUE((filterOf("app", "", "").matches("app", "", "")));
}

TEST(DebugTap, InactiveUntilWatchedAndAgainAfter) {
    DebugTap tap;
    EXPECT_FALSE(tap.active());
    EXPECT_FALSE(tap.wants("app", "c", "e"));
    std::vector<std::string> seen;
    {
        auto watch = tap.watch(filterOf("app", "orders*", ""),
                               [&](const DebugEvent& event) { seen.push_back(event.channel); });
        EXPECT_TRUE(tap.active());
        EXPECT_TRUE(tap.wants("app", "orders.1", "x"));
        EXPECT_FALSE(tap.wants("app", "chat", "x"));
        tap.emit(apiEvent("app", "orders.1", "x"));
        tap.emit(apiEvent("app", "chat", "x"));
        tap.emit(apiEvent("other", "orders.1", "x"));
    }
    EXPECT_FALSE(tap.active());
    tap.emit(apiEvent("app", "orders.2", "x"));
    EXPECT_EQ(seen, std::vector<std::string>{"orders.1"});
}

TEST(DebugTap, EachWatchGetsWhatItsFilterPasses) {
    DebugTap tap;
    int all = 0, orders = 0;
    auto w1 = tap.watch(filterOf("app", "", ""), [&](const DebugEvent&) { ++all; });
    auto w2 = tap.watch(filterOf("app", "orders", ""), [&](const DebugEvent&) { ++orders; });
    EXPECT_EQ(tap.watchCount(), 2u);
    tap.emit(apiEvent("app", "orders", "e"));
    tap.emit(apiEvent("app", "chat", "e"));
    EXPECT_EQ(all, 2);
    EXPECT_EQ(orders, 1);
    w1.reset();
    tap.emit(apiEvent("app", "orders", "e"));
    EXPECT_EQ(all, 2);
    EXPECT_EQ(orders, 2);
}

TEST(DebugTap, RefusesUnusableFilter) {
    DebugTap tap;
    EXPECT_THROW((void)tap.watch(filterOf("app", "", "(x+)+"), [](const DebugEvent&) {}),
                 std::invalid_argument);
    EXPECT_FALSE(tap.active());
}

TEST(DebugTap, EmittersOnManyThreadsWhileWatchesComeAndGo) {
    DebugTap tap;
    std::atomic<int> delivered{0};
    std::atomic<bool> stop{false};
    std::vector<std::thread> emitters;
    for (int i = 0; i < 3; ++i) {
        emitters.emplace_back([&] {
            for (int n = 0; n < 20000 && !stop.load(); ++n) {
                if (tap.wants("app", "c", "e")) tap.emit(apiEvent("app", "c", "e"));
            }
        });
    }
    for (int i = 0; i < 200; ++i) {
        auto watch = tap.watch(filterOf("app", "", ""), [&](const DebugEvent&) { delivered.fetch_add(1); });
    }
    stop = true;
    for (auto& t : emitters) t.join();
    EXPECT_FALSE(tap.active());
}

TEST(DebugEvent, JsonRoundTripAndEscaping) {
    DebugEvent event = apiEvent("app-1", "private-\"quoted\"", "App\\Events\\Shipped");
    event.node = "edge-1";
    event.socketId = "123.456";
    event.bytes = 10240;
    event.code = 4100;
    event.detail = "line\nbreak";
    const std::string json = toJson(event);
    EXPECT_EQ(json.find('\n'), std::string::npos);
    const auto back = debugEventFromJson(json);
    ASSERT_TRUE(back);
    EXPECT_EQ(back->kind, event.kind);
    EXPECT_EQ(back->timeMs, event.timeMs);
    EXPECT_EQ(back->appId, event.appId);
    EXPECT_EQ(back->node, event.node);
    EXPECT_EQ(back->channel, event.channel);
    EXPECT_EQ(back->event, event.event);
    EXPECT_EQ(back->socketId, event.socketId);
    EXPECT_EQ(back->bytes, event.bytes);
    EXPECT_EQ(back->code, event.code);
    EXPECT_EQ(back->detail, event.detail);
}

TEST(DebugEvent, RefusesWhatIsNotAnEventLine) {
    EXPECT_FALSE(debugEventFromJson("not json"));
    EXPECT_FALSE(debugEventFromJson("{\"kind\":\"nope\",\"time\":1,\"app\":\"a\"}"));
    EXPECT_FALSE(debugEventFromJson("{\"kind\":\"api_event\",\"app\":\"a\"}"));
    EXPECT_FALSE(debugEventFromJson("{\"kind\":\"api_event\",\"time\":1}"));
    EXPECT_TRUE(debugEventFromJson("{\"kind\":\"api_event\",\"time\":1,\"app\":\"a\"}"));
}

TEST(DebugEvent, PreviewCutsOnACharacterBoundary) {
    std::string text(kMaxDetailBytes - 1, 'a');
    text += "\xC3\xA9\xC3\xA9";  // é straddles the limit
    const std::string preview = previewOf(text);
    EXPECT_EQ(preview.substr(0, kMaxDetailBytes - 1), std::string(kMaxDetailBytes - 1, 'a'));
    EXPECT_EQ(preview.substr(kMaxDetailBytes - 1), "\u2026");
    EXPECT_EQ(previewOf("short"), "short");
}

}  // namespace
}  // namespace resound::dashboard
