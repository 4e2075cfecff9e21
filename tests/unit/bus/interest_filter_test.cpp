#include "bus/InterestFilter.h"
#include "bus/InterestTrackingBus.h"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

namespace {

using resound::bus::InterestFilter;

TEST(InterestFilter, NothingIsWantedUntilAdded) {
    InterestFilter filter;
    EXPECT_FALSE(filter.mayHave("app", "chat"));
    filter.add("app", "chat");
    EXPECT_TRUE(filter.mayHave("app", "chat"));
    filter.remove("app", "chat");
    EXPECT_FALSE(filter.mayHave("app", "chat"));
}

TEST(InterestFilter, AppsAndChannelsAreKeptApart) {
    InterestFilter filter;
    filter.add("a", "bc");
    EXPECT_TRUE(filter.mayHave("a", "bc"));
    EXPECT_FALSE(filter.mayHave("ab", "c"));
    EXPECT_FALSE(filter.mayHave("other-app", "bc"));
    EXPECT_FALSE(filter.mayHave("a", "bd"));
}

TEST(InterestFilter, CollisionsGiveFalsePositivesNeverFalseNegatives) {
    InterestFilter filter(1);  // every channel lands in the same slot
    EXPECT_EQ(filter.slots(), 1u);
    filter.add("app", "one");
    filter.add("app", "two");
    EXPECT_TRUE(filter.mayHave("app", "three"));  // false positive: the loop looks and finds nobody
    filter.remove("app", "one");
    EXPECT_TRUE(filter.mayHave("app", "two"));  // still counted: removing one left the other
    filter.remove("app", "two");
    EXPECT_FALSE(filter.mayHave("app", "two"));
}

TEST(InterestFilter, SlotCountIsRoundedUpToAPowerOfTwo) {
    EXPECT_EQ(InterestFilter(1000).slots(), 1024u);
    EXPECT_EQ(InterestFilter(0).slots(), 1u);
    EXPECT_EQ(InterestFilter().slots(), InterestFilter::kDefaultSlots);
}

TEST(InterestFilter, RemovingWhatWasNeverAddedChangesNothing) {
    InterestFilter filter(1);
    EXPECT_FALSE(filter.remove("app", "chat"));
    filter.add("app", "chat");
    EXPECT_TRUE(filter.mayHave("app", "chat"));  // the bad remove did not wrap the slot around
    EXPECT_TRUE(filter.remove("app", "chat"));
    EXPECT_FALSE(filter.mayHave("app", "chat"));
}

TEST(InterestFilter, ManyChannelsAreAllFoundAndAllForgotten) {
    InterestFilter filter;
    for (int i = 0; i < 5000; ++i) filter.add("app", "channel-" + std::to_string(i));
    for (int i = 0; i < 5000; ++i) ASSERT_TRUE(filter.mayHave("app", "channel-" + std::to_string(i))) << i;
    int falsePositives = 0;
    for (int i = 5000; i < 10000; ++i)
        falsePositives += filter.mayHave("app", "channel-" + std::to_string(i));
    // 5,000 of 65,536 slots taken: about 7 % of unknown names collide; a poor hash would do far worse.
    EXPECT_LT(falsePositives, 600);
    for (int i = 0; i < 5000; ++i) filter.remove("app", "channel-" + std::to_string(i));
    for (int i = 0; i < 10000; ++i) ASSERT_FALSE(filter.mayHave("app", "channel-" + std::to_string(i))) << i;
}

TEST(InterestFilter, ReadersOnOtherThreadsSeeAnAddOnceItReturned) {
    InterestFilter filter;
    std::atomic<int> added{-1};
    std::atomic<bool> missed{false};
    std::thread reader([&] {
        for (int seen = -1; seen < 999;) {
            int now = added.load();
            for (int i = seen + 1; i <= now; ++i) {
                if (!filter.mayHave("app", "c" + std::to_string(i))) missed = true;
            }
            seen = now;
        }
    });
    for (int i = 0; i < 1000; ++i) {
        filter.add("app", "c" + std::to_string(i));
        added.store(i);
    }
    reader.join();
    EXPECT_FALSE(missed.load());
}

class RecordingBus : public resound::bus::Bus {
  public:
    bool publish(resound::bus::BusMessagePtr) override {
        ++published;
        return true;
    }
    void addReceiver(Receiver) override { ++receivers; }
    void addInterest(const std::string& appId, const std::string& channel) override {
        calls.push_back("+" + appId + "/" + channel);
    }
    void removeInterest(const std::string& appId, const std::string& channel) override {
        calls.push_back("-" + appId + "/" + channel);
    }
    int published = 0;
    int receivers = 0;
    std::vector<std::string> calls;
};

TEST(InterestTrackingBus, ForwardsEverythingAndKeepsTheLoopsFilter) {
    RecordingBus inner;
    InterestFilter filter;
    resound::bus::InterestTrackingBus bus(inner, filter);

    bus.addInterest("app", "chat");
    EXPECT_TRUE(filter.mayHave("app", "chat"));
    EXPECT_TRUE(bus.publish(std::make_shared<resound::bus::BusMessage>()));
    bus.addReceiver([](const resound::bus::BusMessagePtr&) {});
    bus.removeInterest("app", "chat");
    EXPECT_FALSE(filter.mayHave("app", "chat"));

    EXPECT_EQ(inner.published, 1);
    EXPECT_EQ(inner.receivers, 1);
    EXPECT_EQ(inner.calls, (std::vector<std::string>{"+app/chat", "-app/chat"}));
}

}  // namespace
