// The live stream over a real socket (HttpService on loopback): overview events every sample, the
// debug events a filter lets through, a bounded queue that drops and says how many, and the watch
// gone once the client leaves.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <thread>

#include "../httpserver/LoopbackClient.h"
#include "FakeBackend.h"
#include "crypto/Base64.h"
#include "dashboard/Dashboard.h"

namespace resound::dashboard {
namespace {

using namespace std::chrono_literals;
using httpserver::loopback::Client;

const std::string kAuth = "Authorization: Basic " + crypto::base64Encode("admin:pw") + "\r\n";

DebugEvent event(std::string channel, std::string name) {
    DebugEvent e;
    e.kind = DebugEvent::Kind::ApiEvent;
    e.timeMs = 1;
    e.appId = "app-1";
    e.channel = std::move(channel);
    e.event = std::move(name);
    return e;
}

std::size_t count(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
    return n;
}

bool eventually(const std::function<bool()>& condition) {
    for (int i = 0; i < 500; ++i) {
        if (condition()) return true;
        std::this_thread::sleep_for(10ms);
    }
    return false;
}

class DashboardStream : public ::testing::Test {
  protected:
    void start(Dashboard::Options options) {
        options.password = "pw";
        dashboard_ = std::make_unique<Dashboard>(options, backend_);
        dashboard_->start();
        service::HttpService::Options serviceOptions;
        serviceOptions.host = "127.0.0.1";
        serviceOptions.threads = 1;
        service_ = std::make_unique<service::HttpService>(
            serviceOptions,
            [this](const service::HttpExchange& exchange) { return dashboard_->handle(exchange); });
        service_->start();
    }
    void TearDown() override {
        if (service_) service_->stop(0ms);
        if (dashboard_) dashboard_->stop();
    }

    test::FakeBackend backend_;
    std::unique_ptr<Dashboard> dashboard_;
    std::unique_ptr<service::HttpService> service_;
};

TEST_F(DashboardStream, SendsOverviewsAndTheFilteredDebugEvents) {
    Dashboard::Options options;
    options.sampleInterval = 100ms;
    options.pumpInterval = 10ms;
    backend_.current.totals.connections = 7;
    start(options);
    Client client(service_->port());
    client.send(httpserver::loopback::get("/dashboard/api/stream?app=app-1&channel=orders*", kAuth));
    ASSERT_TRUE(client.readUntil("event: overview"));
    EXPECT_NE(client.buffer().find("Content-Type: text/event-stream"), std::string::npos) << client.buffer();
    ASSERT_TRUE(client.readUntil("\"connections\":7"));
    ASSERT_TRUE(eventually([&] { return backend_.debugTap.watchCount() == 1; }));

    backend_.debugTap.emit(event("chat", "ignored-by-the-filter"));
    backend_.debugTap.emit(event("orders.1", "shipped"));
    ASSERT_TRUE(client.readUntil("\"event\":\"shipped\""));
    EXPECT_NE(client.buffer().find("event: debug\ndata: {\"kind\":\"api_event\""), std::string::npos)
        << client.buffer();
    EXPECT_EQ(client.buffer().find("ignored-by-the-filter"), std::string::npos);

    // Overviews keep coming, once per sample.
    for (int i = 0; i < 2; ++i) {
        client.buffer().clear();
        ASSERT_TRUE(client.readUntil("event: overview"));
    }
}

TEST_F(DashboardStream, ASlowConsoleDropsAndCountsInsteadOfQueueing) {
    Dashboard::Options options;
    options.pumpInterval = 400ms;
    options.streamQueueLimit = 3;
    start(options);
    Client client(service_->port());
    client.send(httpserver::loopback::get("/dashboard/api/stream?app=app-1", kAuth));
    ASSERT_TRUE(client.readUntil("event: overview"));
    ASSERT_TRUE(eventually([&] { return backend_.debugTap.watchCount() == 1; }));
    for (int i = 0; i < 20; ++i) backend_.debugTap.emit(event("c", "e" + std::to_string(i)));
    // Every event is delivered or counted in a "dropped" event, whichever pump it fell into (a busy
    // machine may spread the 20 over two pumps): read until all 20 are accounted for.
    const std::string marker = "event: dropped\ndata: {\"count\":";
    std::size_t delivered = 0;
    std::size_t dropped = 0;
    for (int reads = 0; reads < 50; ++reads) {
        const std::string& text = client.buffer();
        delivered = count(text, "event: debug");
        dropped = 0;
        for (std::size_t at = text.find(marker); at != std::string::npos; at = text.find(marker, at + 1)) {
            const std::size_t end = text.find("}\n\n", at);
            if (end == std::string::npos) break;  // its count has not fully arrived
            dropped += std::stoul(text.substr(at + marker.size()));
        }
        if (delivered + dropped >= 20 || !client.readMore()) break;
    }
    EXPECT_GT(dropped, 0u) << "the queue is bounded: events beyond it are dropped, not queued";
    // At most the queue limit per pump, and the 20 fall into one pump or two.
    EXPECT_LE(delivered, 2 * options.streamQueueLimit) << client.buffer();
    EXPECT_EQ(delivered + dropped, 20u) << client.buffer();
}

TEST_F(DashboardStream, TheWatchEndsWithTheClientAndStopEndsStreams) {
    Dashboard::Options options;
    options.pumpInterval = 10ms;
    start(options);
    {
        Client client(service_->port());
        client.send(httpserver::loopback::get("/dashboard/api/stream?app=app-1", kAuth));
        ASSERT_TRUE(client.readUntil("event: overview"));
        ASSERT_TRUE(eventually([&] { return backend_.debugTap.watchCount() == 1; }));
    }
    EXPECT_TRUE(eventually([&] {
        backend_.debugTap.emit(event("c", "e"));  // a push to a gone client notices it
        return backend_.debugTap.watchCount() == 0;
    }));

    Client client(service_->port());
    client.send(httpserver::loopback::get("/dashboard/api/stream", kAuth));  // overview only, no watch
    ASSERT_TRUE(client.readUntil("event: overview"));
    EXPECT_EQ(backend_.debugTap.watchCount(), 0u);
    dashboard_->stop();
    EXPECT_TRUE(client.readUntil("0\r\n\r\n"));  // the chunked stream's end
}

TEST_F(DashboardStream, RefusesStreamsBeyondTheLimit) {
    Dashboard::Options options;
    options.maxStreams = 1;
    start(options);
    Client first(service_->port());
    first.send(httpserver::loopback::get("/dashboard/api/stream", kAuth));
    ASSERT_TRUE(first.readUntil("event: overview"));
    Client second(service_->port());
    second.send(httpserver::loopback::get("/dashboard/api/stream", kAuth));
    EXPECT_NE(second.response().find("503"), std::string::npos);
}

}  // namespace
}  // namespace resound::dashboard
