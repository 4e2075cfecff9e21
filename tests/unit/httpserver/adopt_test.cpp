// HttpServer::adopt: a server without a listener serves connections another server accepted (the
// all-in-one edge hands /dashboard connections over), starting from the bytes already read.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <memory>

#include "LoopbackClient.h"
#include "httpserver/HttpServer.h"
#include "httpserver/Listener.h"

namespace resound::httpserver {
namespace {

using namespace std::chrono_literals;
using loopback::Client;

class AdoptTest : public ::testing::Test {
  protected:
    void SetUp() override {
        listenFd_ = openListener("127.0.0.1", 0);
        port_ = boundPort(listenFd_);
    }
    void start(HttpServer::Options options = {}) {
        options.listen = false;
        options.loops = 2;
        server_ = std::make_unique<HttpServer>(options, [](Exchange& exchange) {
            if (exchange.request.path == "/stream") {
                auto stream = exchange.openStream(200, "text/event-stream");
                stream->push("data: adopted\n\n");
                return Reply{};
            }
            return Reply{
                200, "text/plain", "path=" + exchange.request.path + " body=" + exchange.request.body, {}};
        });
        server_->start();
    }
    void TearDown() override {
        if (server_) server_->stop(0ms);
        ::close(listenFd_);
    }
    // What the other server does: accept, read what has arrived, hand the socket over.
    void handOver(const std::string& expectPrefix) {
        int fd = -1;
        for (int i = 0; i < 500 && fd < 0; ++i) {
            fd = ::accept4(listenFd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
            if (fd < 0) std::this_thread::sleep_for(10ms);
        }
        ASSERT_GE(fd, 0);
        std::string read;
        for (int i = 0; i < 500 && read.size() < expectPrefix.size(); ++i) {
            char buffer[4096];
            const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
            if (n > 0) read.append(buffer, static_cast<std::size_t>(n));
            else std::this_thread::sleep_for(10ms);
        }
        ASSERT_EQ(read, expectPrefix);
        server_->adopt(fd, "127.0.0.1:1", read);
    }

    int listenFd_ = -1;
    std::uint16_t port_ = 0;
    std::unique_ptr<HttpServer> server_;
};

TEST_F(AdoptTest, ServesTheBytesAlreadyReadThenTheRest) {
    start();
    EXPECT_EQ(server_->port(), 0);  // no listener of its own
    Client client(port_);
    const std::string first =
        "GET /first HTTP/1.1\r\nHost: x\r\n\r\nPOST /second HTTP/1.1\r\nHost: x\r\nContent-Length: "
        "5\r\n\r\nhe";
    client.send(first);
    handOver(first);
    const std::string one = client.response();
    EXPECT_NE(one.find("HTTP/1.1 200"), std::string::npos) << one;
    EXPECT_NE(one.find("path=/first"), std::string::npos) << one;
    client.send("llo");  // the rest of the pipelined request, read by the adopting server
    const std::string two = client.response();
    EXPECT_NE(two.find("path=/second body=hello"), std::string::npos) << two;
    EXPECT_EQ(server_->connectionCount(), 1u);
    client.send("GET /third HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    EXPECT_NE(client.response().find("path=/third"), std::string::npos);
    EXPECT_TRUE(client.closedByServer());
}

TEST_F(AdoptTest, AnAdoptedConnectionMayStream) {
    start();
    Client client(port_);
    const std::string request = "GET /stream HTTP/1.1\r\nHost: x\r\n\r\n";
    client.send(request);
    handOver(request);
    EXPECT_TRUE(client.readUntil("data: adopted"));
    EXPECT_NE(client.buffer().find("Transfer-Encoding: chunked"), std::string::npos);
}

TEST_F(AdoptTest, WithoutKeepAliveEachAdoptedConnectionServesOneRequest) {
    HttpServer::Options options;
    options.keepAlive = false;  // the next request may belong to the server that handed it over
    start(options);
    Client client(port_);
    const std::string request = "GET /only HTTP/1.1\r\nHost: x\r\n\r\n";
    client.send(request);
    handOver(request);
    const std::string answer = client.response();
    EXPECT_NE(answer.find("path=/only"), std::string::npos) << answer;
    EXPECT_NE(answer.find("Connection: close"), std::string::npos) << answer;
    EXPECT_TRUE(client.closedByServer());
}

TEST_F(AdoptTest, OverTheLimitTheClientGets503) {
    HttpServer::Options options;
    options.maxConnections = 1;
    start(options);
    Client first(port_);
    const std::string request = "GET /a HTTP/1.1\r\nHost: x\r\n\r\n";
    first.send(request);
    handOver(request);
    EXPECT_NE(first.response().find("path=/a"), std::string::npos);
    Client second(port_);
    second.send(request);
    handOver(request);
    EXPECT_NE(second.response().find("HTTP/1.1 503"), std::string::npos);
    EXPECT_TRUE(second.closedByServer());
}

}  // namespace
}  // namespace resound::httpserver
