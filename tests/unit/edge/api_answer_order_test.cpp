// An IoThread whose HTTP API publishes through a LoopBackend that answers only when the test says
// so (as Redis would, later): pipelined requests on one connection are answered in request order
// (a later request waits, even one that needs no Redis), a refused publish is a 503, a client that
// left before its answer is dropped cleanly (run under ASan: no use of the freed connection), and
// the API metrics count each answer once.
#include <gtest/gtest.h>

#include <future>
#include <mutex>
#include <thread>

#include "../api/ApiTestSupport.h"
#include "../httpserver/LoopbackClient.h"
#include "api/ApiHandler.h"
#include "bus/InMemoryBus.h"
#include "edge/HttpRouter.h"
#include "edge/IoThread.h"
#include "httpserver/Listener.h"
#include "state/InMemoryClusterState.h"

using namespace resound;
using namespace std::chrono_literals;
using httpserver::loopback::Client;

namespace {

// What the loop handed over, answered from the test thread through the loop (callbacks run there).
class BackendControl {
  public:
    struct HandOver {
        std::size_t steps;
        api::LoopBackend::Done done;
    };

    void attach(loop::EventLoop& loop) { loop_ = &loop; }
    void add(HandOver handOver) {
        std::lock_guard lock(mutex_);
        held_.push_back(std::move(handOver));
    }
    std::size_t handedOver() {
        std::lock_guard lock(mutex_);
        return held_.size();
    }
    bool waitFor(std::size_t count) {
        for (int i = 0; i < 500 && handedOver() < count; ++i) std::this_thread::sleep_for(10ms);
        return handedOver() >= count;
    }
    // Answers hand-over `index` on the loop thread and waits until that ran.
    void answer(std::size_t index, bool acknowledged) {
        std::promise<void> ran;
        loop_->post([&] {
            HandOver handOver;
            {
                std::lock_guard lock(mutex_);
                handOver = held_.at(index);
            }
            api::PublishReport report;
            report.acknowledged.assign(handOver.steps, acknowledged);
            handOver.done(report);
            ran.set_value();
        });
        ran.get_future().wait();
    }

  private:
    std::mutex mutex_;
    loop::EventLoop* loop_ = nullptr;
    std::vector<HandOver> held_;
};

class ControlledBackend final : public api::LoopBackend {
  public:
    explicit ControlledBackend(BackendControl& control) : control_(control) {}
    void publish(std::vector<api::PublishStep> steps, Done done) override {
        control_.add({steps.size(), std::move(done)});
    }
    void flush() override {}

  private:
    BackendControl& control_;
};

struct ApiAnswerOrder : ::testing::Test {
    config::Config config = [] {
        config::Config c;
        c.server.host = "127.0.0.1";
        c.apps = {api::test::testApp()};
        return c;
    }();
    apps::AppRegistry apps{config.apps};
    state::InMemoryClusterState state;
    bus::InMemoryBus bus;
    metrics::Metrics metrics{1};
    api::ApiHandler api{apps, state, bus, config.server};
    std::atomic<bool> draining{false};
    edge::HttpRouter router{config.server, edge::ServerRoles{false, true, "resound-api"}, api, metrics,
                            draining};
    std::atomic<std::size_t> connections{0};
    edge::AddressLimiter limiter{0};
    BackendControl control;
    std::unique_ptr<edge::IoThread> thread;
    std::uint16_t port = 0;

    void SetUp() override {
        const int listener = httpserver::openListener("127.0.0.1", 0);
        port = httpserver::boundPort(listener);
        edge::EdgeContext context{config, apps, state, bus, metrics, router, connections, 100, limiter};
        context.loopBackendFactory = [this](loop::EventLoop& loop) -> std::unique_ptr<api::LoopBackend> {
            control.attach(loop);
            return std::make_unique<ControlledBackend>(control);
        };
        thread = std::make_unique<edge::IoThread>(context, 0, listener);
        thread->start();
    }
    void TearDown() override { thread->stop(); }

    std::string signedRequest(const std::string& method, const std::string& path, const std::string& body,
                              const std::string& extraHeaders = "") const {
        const auto& app = config.apps.front();
        const std::string query = api::signRequest(method, path, {}, body, app.key, app.secret,
                                                   api::ApiHandler::systemUnixSeconds());
        std::string bytes = method + " " + path + "?" + query + " HTTP/1.1\r\nHost: test\r\n" + extraHeaders;
        if (!body.empty()) {
            bytes +=
                "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
        }
        return bytes + "\r\n" + body;
    }
    std::string publish(const std::string& channel, const std::string& extraHeaders = "") const {
        return signedRequest("POST", "/apps/3/events",
                             R"({"name":"e","channel":")" + channel + R"(","data":"x"})", extraHeaders);
    }
};

int statusOf(const std::string& response) {
    return response.size() >= 12 ? std::stoi(response.substr(9, 3)) : 0;
}

}  // namespace

TEST_F(ApiAnswerOrder, PipelinedRequestsAreAnsweredInRequestOrder) {
    Client client(port);
    ASSERT_TRUE(client.connected());
    // A publish, a publish, then a read that needs no Redis: all in one write.
    client.send(publish("a") + publish("b") + signedRequest("GET", "/apps/3/channels", ""));
    ASSERT_TRUE(control.waitFor(1));
    EXPECT_TRUE(client.silentFor(100)) << "nothing is answered before Redis acknowledged the first publish";
    EXPECT_EQ(control.handedOver(), 1u) << "the next request waits for the first answer";

    control.answer(0, true);
    const std::string first = client.response();
    EXPECT_EQ(statusOf(first), 200) << first;
    ASSERT_TRUE(control.waitFor(2));
    EXPECT_TRUE(client.silentFor(100)) << "the read waits behind the second publish";

    control.answer(1, false);
    const std::string second = client.response();
    EXPECT_EQ(statusOf(second), 503) << second;
    EXPECT_NE(second.find("message bus"), std::string::npos) << second;
    const std::string third = client.response();
    EXPECT_EQ(statusOf(third), 200) << third;
    EXPECT_NE(third.find(R"({"channels":{}})"), std::string::npos) << third;

    EXPECT_EQ(metrics.apiRequests(), 3u);
    EXPECT_EQ(metrics.apiErrors(), 1u);

    // And the connection serves on as usual.
    client.send(publish("c"));
    ASSERT_TRUE(control.waitFor(3));
    control.answer(2, true);
    EXPECT_EQ(statusOf(client.response()), 200);
}

TEST_F(ApiAnswerOrder, AnAnswerForAClientThatLeftIsDropped) {
    {
        Client client(port);
        client.send(publish("a") + publish("b"));
        ASSERT_TRUE(control.waitFor(1));
        client.reset();
    }
    for (int i = 0; i < 300 && connections.load() > 0; ++i) std::this_thread::sleep_for(10ms);
    ASSERT_EQ(connections.load(), 0u) << "the reset connection is gone before its answer";
    // Its connection is freed by now (end of that loop iteration); the answer must not touch it.
    control.answer(0, true);
    EXPECT_EQ(control.handedOver(), 1u) << "the request held behind it was never started";

    Client next(port);
    next.send(publish("c"));
    ASSERT_TRUE(control.waitFor(2));
    control.answer(1, true);
    EXPECT_EQ(statusOf(next.response()), 200);
}

TEST_F(ApiAnswerOrder, ConnectionCloseIsHonouredAfterAWaitedAnswer) {
    Client client(port);
    client.send(publish("a", "Connection: close\r\n"));
    ASSERT_TRUE(control.waitFor(1));
    control.answer(0, true);
    const std::string answer = client.response();
    EXPECT_EQ(statusOf(answer), 200) << answer;
    EXPECT_NE(answer.find("Connection: close"), std::string::npos) << answer;
    EXPECT_TRUE(client.closedByServer());
}
