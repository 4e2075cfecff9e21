// ResponseStream: a handler keeps a response open (Server-Sent Events) and other threads push chunks
// through the loop; the stream ends into keep-alive, a client that leaves or stops reading closes it,
// open streams do not delay other requests, and stop() ends them.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "LoopbackClient.h"
#include "httpserver/HttpServer.h"

namespace resound::httpserver {
namespace {

using namespace std::chrono_literals;
using loopback::Client;
using loopback::get;

class ResponseStreamTest : public ::testing::Test {
  protected:
    void start(HttpServer::Options options = {}) {
        options.host = "127.0.0.1";
        options.loops = 1;
        server_ = std::make_unique<HttpServer>(options, [this](Exchange& exchange) {
            if (exchange.request.path != "/events") return Reply{200, "text/plain", "plain", {}};
            auto stream = exchange.openStream(200, "text/event-stream", {{"Cache-Control", "no-cache"}});
            stream->setOnClosed([this] { ++closed_; });
            std::lock_guard lock(mutex_);
            streams_.push_back(stream);
            return Reply{500, "text/plain", "ignored", {}};
        });
        server_->start();
    }
    void TearDown() override {
        if (server_) server_->stop(0ms);
    }
    std::shared_ptr<ResponseStream> waitForStream(std::size_t index) {
        for (int i = 0; i < 500; ++i) {
            {
                std::lock_guard lock(mutex_);
                if (streams_.size() > index) return streams_[index];
            }
            std::this_thread::sleep_for(10ms);
        }
        return nullptr;
    }
    bool eventually(const std::function<bool()>& condition) {
        for (int i = 0; i < 500; ++i) {
            if (condition()) return true;
            std::this_thread::sleep_for(10ms);
        }
        return false;
    }

    std::mutex mutex_;
    std::vector<std::shared_ptr<ResponseStream>> streams_;
    std::atomic<int> closed_{0};
    std::unique_ptr<HttpServer> server_;
};

TEST_F(ResponseStreamTest, ChunksPushedFromAnotherThreadArriveInOrderThenTheConnectionServesOn) {
    start();
    Client client(server_->port());
    client.send(get("/events"));
    ASSERT_TRUE(client.readUntil("\r\n\r\n"));
    const std::string head = client.buffer();
    EXPECT_EQ(head.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << head;
    EXPECT_NE(head.find("Content-Type: text/event-stream\r\n"), std::string::npos);
    EXPECT_NE(head.find("Transfer-Encoding: chunked\r\n"), std::string::npos);
    EXPECT_NE(head.find("Cache-Control: no-cache\r\n"), std::string::npos);
    EXPECT_EQ(head.find("Content-Length"), std::string::npos);
    EXPECT_EQ(head.find("ignored"), std::string::npos);
    client.buffer().clear();

    auto stream = waitForStream(0);
    ASSERT_TRUE(stream);
    std::thread producer([stream] {
        for (int i = 1; i <= 3; ++i) EXPECT_TRUE(stream->push("data: " + std::to_string(i) + "\n\n"));
        stream->end();
    });
    producer.join();
    ASSERT_TRUE(client.readUntil("0\r\n\r\n"));
    EXPECT_EQ(client.buffer(), "9\r\ndata: 1\n\n\r\n9\r\ndata: 2\n\n\r\n9\r\ndata: 3\n\n\r\n0\r\n\r\n");
    client.buffer().clear();
    EXPECT_TRUE(eventually([this] { return closed_ == 1; }));
    EXPECT_FALSE(stream->open());
    EXPECT_FALSE(stream->push("data: late\n\n"));

    client.send(get("/after"));  // keep-alive after the stream
    EXPECT_TRUE(client.response().ends_with("plain"));
}

TEST_F(ResponseStreamTest, ARequestPipelinedBehindAStreamWaitsForItsEnd) {
    start();
    Client client(server_->port());
    client.send(get("/events") + get("/next"));
    auto stream = waitForStream(0);
    ASSERT_TRUE(stream);
    ASSERT_TRUE(stream->push("data: x\n\n"));
    ASSERT_TRUE(client.readUntil("data: x\n\n\r\n"));
    EXPECT_EQ(client.buffer().find("plain"), std::string::npos);
    stream->end();
    ASSERT_TRUE(client.readUntil("plain"));
    EXPECT_LT(client.buffer().find("0\r\n\r\n"), client.buffer().find("plain"));
}

TEST_F(ResponseStreamTest, ClientLeavingClosesTheStream) {
    start();
    auto client = std::make_unique<Client>(server_->port());
    client->send(get("/events"));
    auto stream = waitForStream(0);
    ASSERT_TRUE(stream);
    ASSERT_TRUE(client->readUntil("\r\n\r\n"));
    client.reset();
    EXPECT_TRUE(eventually([this] { return closed_ == 1; }));
    EXPECT_FALSE(stream->open());
    EXPECT_FALSE(stream->push("data: gone\n\n"));
    EXPECT_TRUE(eventually([this] { return server_->connectionCount() == 0; }));
}

TEST_F(ResponseStreamTest, AClientThatDoesNotReadIsClosedAtTheQueueCap) {
    HttpServer::Options options;
    options.maxQueuedBytes = 256 * 1024;
    start(options);
    Client client(server_->port(), /*receiveBuffer=*/4096);
    client.send(get("/events"));
    auto stream = waitForStream(0);
    ASSERT_TRUE(stream);
    const std::string event = "data: " + std::string(16 * 1024, 'z') + "\n\n";
    int pushed = 0;
    // Bounded: loopback socket buffers take a few MiB before the server's queue grows.
    while (stream->push(event) && pushed < 4000) {
        ++pushed;
        if (pushed % 64 == 0) std::this_thread::sleep_for(5ms);
    }
    EXPECT_TRUE(eventually([&stream] { return !stream->open(); })) << "pushed " << pushed;
    EXPECT_EQ(closed_.load(), 1);
}

TEST_F(ResponseStreamTest, OpenStreamsDoNotDelayOtherRequests) {
    start();  // one loop for everything
    std::vector<std::unique_ptr<Client>> watchers;
    for (int i = 0; i < 100; ++i) {
        watchers.push_back(std::make_unique<Client>(server_->port()));
        watchers.back()->send(get("/events"));
    }
    ASSERT_TRUE(waitForStream(99));
    std::atomic<bool> producing{true};
    std::thread producer([this, &producing] {
        while (producing) {
            std::vector<std::shared_ptr<ResponseStream>> streams;
            {
                std::lock_guard lock(mutex_);
                streams = streams_;
            }
            for (auto& stream : streams) stream->push("data: tick\n\n");
            std::this_thread::sleep_for(10ms);
        }
    });
    for (int i = 0; i < 20; ++i) {
        Client client(server_->port());
        const auto asked = std::chrono::steady_clock::now();
        client.send(get("/health"));
        EXPECT_TRUE(client.response().ends_with("plain"));
        EXPECT_LT(std::chrono::steady_clock::now() - asked, 1s);
    }
    producing = false;
    producer.join();
    EXPECT_TRUE(watchers.front()->readUntil("data: tick\n\n"));
}

TEST_F(ResponseStreamTest, StopEndsOpenStreams) {
    start();
    Client client(server_->port());
    client.send(get("/events"));
    auto stream = waitForStream(0);
    ASSERT_TRUE(stream);
    server_->stop(200ms);
    EXPECT_TRUE(client.readUntil("0\r\n\r\n"));
    EXPECT_TRUE(client.closedByServer());
    EXPECT_FALSE(stream->open());
    EXPECT_FALSE(stream->push("data: after stop\n\n"));
    EXPECT_EQ(closed_.load(), 1);
    server_.reset();
}

TEST_F(ResponseStreamTest, Http10StreamIsUnchunkedAndEndsWithTheConnection) {
    start();
    Client client(server_->port());
    client.send("GET /events HTTP/1.0\r\n\r\n");
    auto stream = waitForStream(0);
    ASSERT_TRUE(stream);
    ASSERT_TRUE(stream->push("data: a\n\n"));
    stream->end();
    EXPECT_TRUE(client.closedByServer());
    const std::string all = client.buffer();
    EXPECT_EQ(all.find("Transfer-Encoding"), std::string::npos);
    EXPECT_NE(all.find("Connection: close\r\n"), std::string::npos);
    EXPECT_TRUE(all.ends_with("\r\n\r\ndata: a\n\n")) << all;
}

}  // namespace
}  // namespace resound::httpserver
