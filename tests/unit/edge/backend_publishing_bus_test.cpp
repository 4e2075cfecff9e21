// BackendPublishingBus (an edge loop's bus in Redis mode): the protocol's publishes go to the loop's
// LoopBackend in the order they were made, never to the inner bus; interest and receivers still go to
// the inner bus; a refused publish is only logged (nobody waits for it).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "edge/BackendPublishingBus.h"

using namespace resound;

namespace {

struct InnerBus final : bus::Bus {
    bool publish(bus::BusMessagePtr) override {
        ++published;
        return true;
    }
    void addReceiver(Receiver) override { ++receivers; }
    void addInterest(const std::string& appId, const std::string& channel) override {
        calls.push_back("add " + appId + "/" + channel);
    }
    void removeInterest(const std::string& appId, const std::string& channel) override {
        calls.push_back("remove " + appId + "/" + channel);
    }
    void addInterestThen(const std::string& appId, const std::string& channel,
                         std::function<void()> confirmed) override {
        calls.push_back("addThen " + appId + "/" + channel);
        confirmed();
    }
    int published = 0;
    int receivers = 0;
    std::vector<std::string> calls;
};

struct HeldBackend final : api::LoopBackend {
    void publish(std::vector<api::PublishStep> steps, Done done) override {
        handed.push_back(std::move(steps));
        dones.push_back(std::move(done));
    }
    void flush() override {}
    std::vector<std::vector<api::PublishStep>> handed;
    std::vector<Done> dones;
};

bus::BusMessagePtr message(const std::string& channel) {
    auto m = std::make_shared<bus::BusMessage>();
    m->appId = "app";
    m->channel = channel;
    m->frame = std::make_shared<const std::string>("frame " + channel);
    return m;
}

}  // namespace

TEST(BackendPublishingBus, PublishesGoToTheBackendInOrderNotToTheInnerBus) {
    InnerBus inner;
    HeldBackend backend;
    edge::BackendPublishingBus bus(inner, backend);
    EXPECT_TRUE(bus.publish(message("a")));
    EXPECT_TRUE(bus.publish(message("b")));
    EXPECT_TRUE(bus.publish(message("c")));
    EXPECT_EQ(inner.published, 0);
    ASSERT_EQ(backend.handed.size(), 3u);
    const char* channels[] = {"a", "b", "c"};
    for (std::size_t i = 0; i < 3; ++i) {
        ASSERT_EQ(backend.handed[i].size(), 1u);
        EXPECT_EQ(backend.handed[i][0].message->channel, channels[i]);
        EXPECT_FALSE(backend.handed[i][0].cache.has_value());
    }
    // Answers, refused or not, need nobody: they are only logged.
    backend.dones[0](api::PublishReport{{true}, {}});
    backend.dones[1](api::PublishReport{{false}, {}});
}

TEST(BackendPublishingBus, InterestAndReceiversStayWithTheInnerBus) {
    InnerBus inner;
    HeldBackend backend;
    edge::BackendPublishingBus bus(inner, backend);
    bus.addReceiver([](const bus::BusMessagePtr&) {});
    bus.addInterest("app", "x");
    bool confirmed = false;
    bus.addInterestThen("app", "y", [&] { confirmed = true; });
    bus.removeInterest("app", "x");
    EXPECT_EQ(inner.receivers, 1);
    EXPECT_EQ(inner.calls, (std::vector<std::string>{"add app/x", "addThen app/y", "remove app/x"}));
    EXPECT_TRUE(confirmed);
    EXPECT_TRUE(backend.handed.empty());
}
