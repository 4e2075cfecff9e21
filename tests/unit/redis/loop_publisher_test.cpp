// LoopPublisher (the api service's LoopBackend) against a real redis-server on a real EventLoop:
// the publishes of one iteration share one write and reach an edge's RedisBus in the RedisBus wire
// form; cache channels are stored (with the TTL) before their PUBLISH; a request is answered once all
// its PUBLISHes are, never inside publish(); a Redis that is down or hung is answered "refused"
// within the I/O timeout, and the first publish once it is back succeeds.
#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <future>
#include <mutex>
#include <thread>

#include "RedisServer.h"
#include "loop/EventLoop.h"
#include "redis/CommandClient.h"
#include "redis/KeySchema.h"
#include "redis/LoopPublisher.h"
#include "redis/RedisBus.h"
#include "redis/RedisClusterState.h"

namespace resound::redis {
namespace {

using namespace std::chrono_literals;
using testing::eventually;
using testing::RedisServer;

// An EventLoop on a thread with a LoopPublisher flushed after every iteration, as an IoThread does.
class PublisherOnLoop {
  public:
    explicit PublisherOnLoop(ConnectionOptions options) {
        publisher_ = std::make_unique<LoopPublisher>(loop_, std::move(options));
        loop_.setAfterEventsHook([this] {
            if (publisher_) publisher_->flush();
        });
        loop_.setTickHook(50ms, [] {});
        thread_ = std::thread([this] { loop_.run(); });
    }
    ~PublisherOnLoop() {
        loop_.post([this] { publisher_.reset(); });
        loop_.stop();
        thread_.join();
    }
    void onLoop(const std::function<void(LoopPublisher&)>& work) {
        std::promise<void> done;
        loop_.post([&] {
            work(*publisher_);
            done.set_value();
        });
        done.get_future().wait();
    }

  private:
    loop::EventLoop loop_;
    std::unique_ptr<LoopPublisher> publisher_;
    std::thread thread_;
};

// Values handed over by callbacks on the loop thread; the test reads them under the same mutex.
template <typename T>
struct Collected {
    std::mutex mutex;
    std::vector<T> items;
    void add(T item) {
        std::lock_guard lock(mutex);
        items.push_back(std::move(item));
    }
    std::size_t size() {
        std::lock_guard lock(mutex);
        return items.size();
    }
};

// Reports collected from `done` callbacks.
struct Reports : Collected<api::PublishReport> {
    api::LoopBackend::Done collect() {
        return [this](const api::PublishReport& report) { add(report); };
    }
};

api::PublishStep step(const std::string& channel, const std::string& frame,
                      std::optional<api::CacheStore> cache = std::nullopt) {
    auto m = std::make_shared<bus::BusMessage>();
    m->kind = bus::BusMessage::Kind::ChannelEvent;
    m->appId = "app";
    m->channel = channel;
    m->exceptSocketId = "1.2";
    m->frame = std::make_shared<const std::string>(frame);
    return api::PublishStep{std::move(m), std::move(cache)};
}

std::vector<api::PublishStep> steps(std::initializer_list<api::PublishStep> list) { return {list}; }

struct Edge {
    std::shared_ptr<CommandClient> client;
    std::unique_ptr<RedisBus> bus;
    std::mutex mutex;
    std::vector<bus::BusMessagePtr> received;

    explicit Edge(const ConnectionOptions& options) {
        client = std::make_shared<CommandClient>(options);
        RedisBusOptions busOptions;
        busOptions.appIds = {"app"};
        bus = std::make_unique<RedisBus>(client, busOptions);
        bus->addReceiver([this](const bus::BusMessagePtr& m) {
            std::lock_guard lock(mutex);
            received.push_back(m);
        });
    }
    std::size_t size() {
        std::lock_guard lock(mutex);
        return received.size();
    }
};

TEST(LoopPublisher, AnIterationsPublishesShareOneWriteAndReachTheEdges) {
    SKIP_WITHOUT_REDIS();
    RedisServer server;
    Edge edge(server.options());
    ASSERT_TRUE(eventually([&] { return edge.bus->connected(); }, 2000ms));
    edge.bus->addInterest("app", "chat");
    edge.bus->addInterest("app", "news");
    PublisherOnLoop publisher(server.options());
    Reports reports;
    // Connected and idle first, so the write counted below is the requests' alone.
    publisher.onLoop([&](LoopPublisher& p) { p.publish(steps({step("warm-up", "w")}), reports.collect()); });
    ASSERT_TRUE(eventually([&] { return reports.size() == 1; }, 2000ms));

    std::uint64_t writesBefore = 0;
    bool answeredInside = false;
    publisher.onLoop([&](LoopPublisher& p) {
        writesBefore = p.link().roundTrips();
        // Three requests arriving in one iteration: one of one event, one of two, one more.
        p.publish(steps({step("chat", "one")}), reports.collect());
        p.publish(steps({step("chat", "two"), step("news", "three")}), reports.collect());
        p.publish(steps({step("news", "four")}), reports.collect());
        answeredInside = reports.size() != 1;
    });
    EXPECT_FALSE(answeredInside) << "answers never come inside publish()";
    ASSERT_TRUE(eventually([&] { return reports.size() == 4; }, 2000ms));
    std::uint64_t writesAfter = 0;
    publisher.onLoop([&](LoopPublisher& p) {
        writesAfter = p.link().roundTrips();
        EXPECT_EQ(p.published(), 5u);
        EXPECT_EQ(p.publishFailures(), 0u);
    });
    EXPECT_EQ(writesAfter - writesBefore, 1u) << "three requests, one write";
    {
        std::lock_guard lock(reports.mutex);
        EXPECT_EQ(reports.items[2].acknowledged, (std::vector<bool>{true, true}));
        for (const auto& report : reports.items) EXPECT_TRUE(report.all());
    }
    ASSERT_TRUE(eventually([&] { return edge.size() == 4; }, 2000ms));
    std::lock_guard lock(edge.mutex);
    const char* frames[] = {"one", "two", "three", "four"};
    for (std::size_t i = 0; i < 4; ++i) {
        EXPECT_EQ(*edge.received[i]->frame, frames[i]);
        EXPECT_EQ(edge.received[i]->appId, "app");
        EXPECT_EQ(edge.received[i]->exceptSocketId, "1.2");
    }
    EXPECT_EQ(edge.received[0]->channel, "chat");
    EXPECT_EQ(edge.received[3]->channel, "news");
}

TEST(LoopPublisher, CacheChannelsAreStoredWithTheirTtlBeforeThePublish) {
    SKIP_WITHOUT_REDIS();
    RedisServer server;
    CommandClient client(server.options());
    ASSERT_TRUE(client.command({"SET", "resound:app:cache:cache-gone", "old"}));
    PublisherOnLoop publisher(server.options());
    Reports reports;
    publisher.onLoop([&](LoopPublisher& p) {
        p.publish(steps({step("cache-a", "frame", api::CacheStore{R"({"event":"e"})", 60}),
                         step("cache-gone", "frame", api::CacheStore{"x", 0})}),
                  reports.collect());
    });
    ASSERT_TRUE(eventually([&] { return reports.size() == 1; }, 2000ms));
    // The PUBLISH came after the SET on the same connection, so its answer means the SET ran.
    const auto stored = client.command({"GET", "resound:app:cache:cache-a"});
    ASSERT_TRUE(stored);
    EXPECT_EQ(stored->text, R"({"event":"e"})");
    const auto ttl = client.command({"TTL", "resound:app:cache:cache-a"});
    ASSERT_TRUE(ttl);
    EXPECT_GT(ttl->integer, 50);
    const auto gone = client.command({"EXISTS", "resound:app:cache:cache-gone"});
    ASSERT_TRUE(gone);
    EXPECT_EQ(gone->integer, 0) << "ttl 0 removes the entry, as RedisClusterState does";
}

TEST(LoopPublisher, ChannelCountsAreReadBehindThePublishInTheSameWrite) {
    SKIP_WITHOUT_REDIS();
    RedisServer server;
    CommandClient client(server.options());
    // What the edges' cluster scripts keep: 3 subscriptions to the room, by 2 distinct users.
    ASSERT_TRUE(client.command({"HSET", keys::channels("app"), "presence-room", "3"}));
    ASSERT_TRUE(client.command({"HSET", keys::presence("app", "presence-room"), "u1", "{}", "u2", "{}"}));
    PublisherOnLoop publisher(server.options());
    Reports reports;
    publisher.onLoop([&](LoopPublisher& p) { p.publish(steps({step("warm-up", "w")}), reports.collect()); });
    ASSERT_TRUE(eventually([&] { return reports.size() == 1; }, 2000ms));

    std::uint64_t writesBefore = 0;
    publisher.onLoop([&](LoopPublisher& p) {
        writesBefore = p.link().roundTrips();
        auto counted = steps({step("presence-room", "a"), step("nobody-here", "b"), step("not-asked", "c")});
        counted[0].readCounts = true;
        counted[1].readCounts = true;
        p.publish(std::move(counted), reports.collect());
    });
    ASSERT_TRUE(eventually([&] { return reports.size() == 2; }, 2000ms));
    publisher.onLoop([&](LoopPublisher& p) {
        EXPECT_EQ(p.link().roundTrips() - writesBefore, 1u) << "the reads ride with the publishes";
    });
    std::lock_guard lock(reports.mutex);
    const api::PublishReport& report = reports.items[1];
    EXPECT_TRUE(report.all());
    ASSERT_EQ(report.counts.size(), 3u);
    ASSERT_TRUE(report.counts[0].has_value());
    EXPECT_EQ(report.counts[0]->name, "presence-room");
    EXPECT_EQ(report.counts[0]->subscriptionCount, 3u);
    EXPECT_EQ(report.counts[0]->userCount, 2u);
    ASSERT_TRUE(report.counts[1].has_value()) << "an unoccupied channel reads as zeros, not as unreadable";
    EXPECT_EQ(report.counts[1]->subscriptionCount, 0u);
    EXPECT_EQ(report.counts[1]->userCount, 0u);
    EXPECT_FALSE(report.counts[2].has_value()) << "not asked, not read";
}

// The GET endpoints' reads over the loop's connection (reads(), redis::LoopClusterReads) answer what
// the blocking RedisClusterState reads answer, from state the edges' scripts wrote.
TEST(LoopPublisher, ItsReadsAnswerWhatTheBlockingStateReads) {
    SKIP_WITHOUT_REDIS();
    RedisServer server;
    RedisClusterState node(std::make_shared<CommandClient>(server.options()),
                           RedisClusterState::Options{"node"});
    node.addSubscription("app", "presence-room");
    node.addSubscription("app", "presence-room");
    node.addSubscription("app", "lobby");
    node.joinPresence("app", "presence-room", state::PresenceMember{"ann", "\"ann\"", "{\"n\":1}"}, 0);
    node.joinPresence("app", "presence-room", state::PresenceMember{"ben", "\"ben\"", "null"}, 0);
    ASSERT_TRUE(node.tryAddConnection("app", 0));
    ASSERT_TRUE(node.tryAddConnection("app", 0));
    node.storeCachedEvent("app", "cache-news", R"({"event":"e"})", 60);

    // Declared before the publisher: its loop writes them until it is joined, even when an ASSERT returns.
    std::mutex mutex;
    std::optional<std::vector<state::ChannelSummary>> channels;
    std::optional<state::ChannelSummary> room, empty;
    std::optional<std::vector<state::PresenceMember>> members;
    std::optional<std::optional<state::CachedEvent>> cached, uncached;
    std::optional<std::size_t> connections;
    int answered = 0;
    PublisherOnLoop publisher(server.options());
    publisher.onLoop([&](LoopPublisher& p) {
        state::ClusterReads& reads = *p.reads();
        // Each answer lands in its slot (on the loop thread; the test reads under the same mutex).
        auto into = [&](auto& slot) {
            return [&mutex, &answered, target = &slot](auto value) {
                std::lock_guard l(mutex);
                *target = std::move(value);
                ++answered;
            };
        };
        reads.channels("app", "", into(channels));
        reads.channel("app", "presence-room", into(room));
        reads.channel("app", "nobody", into(empty));
        reads.presenceMembers("app", "presence-room", into(members));
        reads.cachedEvent("app", "cache-news", into(cached));
        reads.cachedEvent("app", "cache-none", into(uncached));
        reads.connectionCount("app", into(connections));
        EXPECT_EQ(answered, 0) << "reads are answered later, never inside the call";
    });
    ASSERT_TRUE(eventually(
        [&] {
            std::lock_guard l(mutex);
            return answered == 7;
        },
        2000ms));
    std::lock_guard lock(mutex);
    ASSERT_TRUE(channels.has_value());
    ASSERT_EQ(channels->size(), 2u);
    const auto blocking = node.channels("app", "");
    for (std::size_t i = 0; i < 2; ++i) {
        EXPECT_EQ((*channels)[i].name, blocking[i].name) << "sorted by name, as GET /channels lists them";
        EXPECT_EQ((*channels)[i].subscriptionCount, blocking[i].subscriptionCount);
        EXPECT_EQ((*channels)[i].userCount, blocking[i].userCount);
    }
    ASSERT_TRUE(room.has_value());
    EXPECT_EQ(room->subscriptionCount, 2u);
    EXPECT_EQ(room->userCount, 2u);
    ASSERT_TRUE(empty.has_value()) << "an unoccupied channel is zeros, not unreadable";
    EXPECT_EQ(empty->subscriptionCount, 0u);
    ASSERT_TRUE(members.has_value());
    ASSERT_EQ(members->size(), 2u);
    EXPECT_EQ((*members)[0].userKey, "ann");
    EXPECT_EQ((*members)[0].infoJson, "{\"n\":1}");
    ASSERT_TRUE(cached.has_value() && cached->has_value());
    EXPECT_EQ((*cached)->eventJson, R"({"event":"e"})");
    EXPECT_GT((*cached)->ttlSecondsLeft, 50);
    ASSERT_TRUE(uncached.has_value()) << "none kept is an answer";
    EXPECT_FALSE(uncached->has_value());
    EXPECT_EQ(connections, std::optional<std::size_t>(2));
}

TEST(LoopPublisher, ListingChannelsSurvivesAScriptFlush) {
    SKIP_WITHOUT_REDIS();
    RedisServer server;
    RedisClusterState node(std::make_shared<CommandClient>(server.options()),
                           RedisClusterState::Options{"node"});
    node.addSubscription("app", "lobby");
    CommandClient client(server.options());
    Collected<std::optional<std::vector<state::ChannelSummary>>> lists;  // outlives the publisher's loop
    PublisherOnLoop publisher(server.options());
    auto list = [&] {
        publisher.onLoop(
            [&](LoopPublisher& p) { p.reads()->channels("app", "", [&](auto v) { lists.add(v); }); });
    };
    list();  // loads the script on this connection
    ASSERT_TRUE(eventually([&] { return lists.size() == 1; }, 2000ms));
    ASSERT_TRUE(client.command({"SCRIPT", "FLUSH"}));
    list();  // NOSCRIPT: loaded again and retried once, not a 503
    ASSERT_TRUE(eventually([&] { return lists.size() == 2; }, 2000ms));
    std::lock_guard lock(lists.mutex);
    for (const auto& listed : lists.items) {
        ASSERT_TRUE(listed.has_value());
        ASSERT_EQ(listed->size(), 1u);
        EXPECT_EQ(listed->front().name, "lobby");
    }
}

// Asks each of the publisher's five reads once; `readable` gets whether each had an answer.
void readEverything(PublisherOnLoop& publisher, Collected<bool>& readable) {
    publisher.onLoop([&](LoopPublisher& p) {
        auto note = [&readable](const auto& v) { readable.add(v.has_value()); };
        p.reads()->channels("app", "", note);
        p.reads()->channel("app", "x", note);
        p.reads()->presenceMembers("app", "presence-x", note);
        p.reads()->cachedEvent("app", "cache-x", note);
        p.reads()->connectionCount("app", note);
    });
}

TEST(LoopPublisher, ItsReadsAreUnreadableWhileRedisIsDown) {
    SKIP_WITHOUT_REDIS();
    RedisServer server;
    const ConnectionOptions options = server.options();
    server.stop();
    Collected<bool> readable;  // outlives the publisher's loop
    PublisherOnLoop publisher(options);
    readEverything(publisher, readable);
    ASSERT_TRUE(eventually([&] { return readable.size() == 5; }, 2000ms));
    std::lock_guard lock(readable.mutex);
    EXPECT_EQ(readable.items, std::vector<bool>(5, false));
}

TEST(LoopPublisher, ItsReadsAreUnreadableWithinTheIoTimeoutWhileRedisHangs) {
    SKIP_WITHOUT_REDIS();
    RedisServer server;  // ioTimeout 300 ms
    Collected<bool> readable;
    PublisherOnLoop publisher(server.options());
    readEverything(publisher, readable);  // connected: answered
    ASSERT_TRUE(eventually([&] { return readable.size() == 5; }, 2000ms));
    server.pause();
    const auto started = std::chrono::steady_clock::now();
    readEverything(publisher, readable);
    ASSERT_TRUE(eventually([&] { return readable.size() == 10; }, 3000ms));
    const auto waited = std::chrono::steady_clock::now() - started;
    server.resume();
    EXPECT_LT(waited, 1500ms);
    std::lock_guard lock(readable.mutex);
    EXPECT_EQ(std::vector<bool>(readable.items.begin(), readable.items.begin() + 5),
              std::vector<bool>(5, true));
    EXPECT_EQ(std::vector<bool>(readable.items.begin() + 5, readable.items.end()),
              std::vector<bool>(5, false));
}

TEST(LoopPublisher, ARedisThatIsDownIsAnsweredRefusedAtOnce) {
    SKIP_WITHOUT_REDIS();
    RedisServer server;
    const ConnectionOptions options = server.options();
    server.stop();
    PublisherOnLoop publisher(options);
    Reports reports;
    const auto started = std::chrono::steady_clock::now();
    publisher.onLoop([&](LoopPublisher& p) {
        auto both = steps({step("chat", "a"), step("chat", "b")});
        both[1].readCounts = true;
        p.publish(std::move(both), reports.collect());
    });
    ASSERT_TRUE(eventually([&] { return reports.size() == 1; }, 2000ms));
    EXPECT_LT(std::chrono::steady_clock::now() - started, 1000ms);
    std::lock_guard lock(reports.mutex);
    EXPECT_EQ(reports.items[0].acknowledged, (std::vector<bool>{false, false}));
    ASSERT_EQ(reports.items[0].counts.size(), 2u);
    EXPECT_FALSE(reports.items[0].counts[1].has_value()) << "unread counts are unknown, not zero";
}

TEST(LoopPublisher, AHungRedisIsAnsweredRefusedAfterTheIoTimeoutAndTheFirstPublishAfterSucceeds) {
    SKIP_WITHOUT_REDIS();
    RedisServer server;  // ioTimeout 300 ms
    PublisherOnLoop publisher(server.options());
    Reports reports;
    publisher.onLoop([&](LoopPublisher& p) { p.publish(steps({step("warm-up", "w")}), reports.collect()); });
    ASSERT_TRUE(eventually([&] { return reports.size() == 1; }, 2000ms));
    server.pause();
    const auto started = std::chrono::steady_clock::now();
    publisher.onLoop([&](LoopPublisher& p) { p.publish(steps({step("chat", "a")}), reports.collect()); });
    ASSERT_TRUE(eventually([&] { return reports.size() == 2; }, 3000ms));
    const auto waited = std::chrono::steady_clock::now() - started;
    server.resume();
    EXPECT_GE(waited, 250ms);
    EXPECT_LT(waited, 1500ms);
    {
        std::lock_guard lock(reports.mutex);
        EXPECT_FALSE(reports.items[1].all());
    }

    // Redis is back: the first publish after the reconnect back-off goes out behind the link's probe
    // and succeeds, instead of being refused until some other call has proven Redis answers.
    std::this_thread::sleep_for(server.options().backoffMax + 100ms);
    publisher.onLoop([&](LoopPublisher& p) { p.publish(steps({step("chat", "b")}), reports.collect()); });
    ASSERT_TRUE(eventually([&] { return reports.size() == 3; }, 3000ms));
    std::lock_guard lock(reports.mutex);
    EXPECT_TRUE(reports.items[2].all());
}

}  // namespace
}  // namespace resound::redis
