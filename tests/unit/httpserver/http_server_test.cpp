// HttpServer over real loopback sockets: idle keep-alive connections do not starve new ones (the
// thread-per-connection cliff), pipelining answers in order, parser refusals use errorReply and close,
// HEAD carries no body, the request and idle deadlines close trickling and idle connections without
// delaying anyone else, stop() does not wait for idle connections.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
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

class HttpServerTest : public ::testing::Test {
  protected:
    void start(HttpServer::Options options = {}) {
        options.host = "127.0.0.1";
        if (options.loops == 0) options.loops = 1;
        options.serverName = "test-server";
        server_ = std::make_unique<HttpServer>(options, [this](Exchange& exchange) {
            const http::Request& request = exchange.request;
            ++handled_;
            if (request.path == "/throw") throw std::runtime_error("boom");
            if (request.path == "/empty") return Reply{204, "application/json", "", {}};
            return Reply{200,
                         "text/plain",
                         request.method + " " + request.path + " " + request.body,
                         {{"X-Echo", "1"}}};
        });
        server_->start();
    }
    void TearDown() override {
        if (server_) server_->stop(0ms);
    }

    std::atomic<int> handled_{0};
    std::unique_ptr<HttpServer> server_;
};

TEST_F(HttpServerTest, AnswersWithBodyAndServerHeaders) {
    start();
    Client client(server_->port());
    client.send("POST /x?q=1 HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc");
    const std::string response = client.response();
    EXPECT_EQ(response.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << response;
    EXPECT_NE(response.find("Content-Type: text/plain\r\n"), std::string::npos);
    EXPECT_NE(response.find("Connection: keep-alive\r\n"), std::string::npos);
    EXPECT_NE(response.find("X-Echo: 1\r\n"), std::string::npos);
    EXPECT_NE(response.find("Server: test-server\r\n"), std::string::npos);
    EXPECT_NE(response.find("Date: "), std::string::npos);
    EXPECT_TRUE(response.ends_with("\r\n\r\nPOST /x abc")) << response;
}

TEST_F(HttpServerTest, NoContentHasNoContentType) {
    start();
    Client client(server_->port());
    client.send(get("/empty"));
    const std::string response = client.response();
    EXPECT_EQ(response.rfind("HTTP/1.1 204 No Content\r\n", 0), 0u) << response;
    EXPECT_EQ(response.find("Content-Type"), std::string::npos);
}

TEST_F(HttpServerTest, HeadHasTheHeadersButNoBody) {
    start();
    Client client(server_->port());
    client.send("HEAD /h HTTP/1.1\r\n\r\n" + get("/after"));
    ASSERT_TRUE(client.readUntil("GET /after "));
    const std::string& both = client.buffer();
    const std::size_t headEnd = both.find("\r\n\r\n") + 4;
    EXPECT_NE(both.substr(0, headEnd).find("Content-Length: 8\r\n"), std::string::npos) << both;
    // The next response follows the blank line at once: the HEAD answer carried no body.
    EXPECT_EQ(both.compare(headEnd, 17, "HTTP/1.1 200 OK\r\n"), 0) << both;
}

TEST_F(HttpServerTest, PipelinedRequestsAreAnsweredInOrder) {
    start();
    Client client(server_->port());
    client.send(get("/1") + get("/2") + get("/3"));
    EXPECT_TRUE(client.response().ends_with("GET /1 "));
    EXPECT_TRUE(client.response().ends_with("GET /2 "));
    EXPECT_TRUE(client.response().ends_with("GET /3 "));
}

TEST_F(HttpServerTest, ExpectContinueGetsContinueBeforeTheBody) {
    start();
    Client client(server_->port());
    client.send("POST /c HTTP/1.1\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\n");
    ASSERT_TRUE(client.readUntil("HTTP/1.1 100 Continue\r\n\r\n"));
    client.buffer().clear();
    client.send("ok");
    EXPECT_TRUE(client.response().ends_with("POST /c ok"));
}

TEST_F(HttpServerTest, ParserRefusalUsesErrorReplyAndCloses) {
    HttpServer::Options options;
    options.limits = {.maxHeaderBytes = 512, .maxBodyBytes = 16};
    options.errorReply = [](int status, std::string_view reason) {
        return Reply{status, "application/json", "{\"refused\":\"" + std::string(reason) + "\"}", {}};
    };
    start(options);
    Client client(server_->port());
    client.send("POST /big HTTP/1.1\r\nContent-Length: 17\r\n\r\n");
    const std::string response = client.response();
    EXPECT_EQ(response.rfind("HTTP/1.1 413 ", 0), 0u) << response;
    EXPECT_NE(response.find("Connection: close"), std::string::npos);
    EXPECT_NE(response.find("{\"refused\":"), std::string::npos);
    EXPECT_TRUE(client.closedByServer());
    EXPECT_EQ(handled_.load(), 0);
}

TEST_F(HttpServerTest, ThrowingHandlerGets500AndTheConnectionServesOn) {
    start();
    Client client(server_->port());
    client.send(get("/throw"));
    EXPECT_EQ(client.response().rfind("HTTP/1.1 500 ", 0), 0u);
    client.send(get("/next"));
    EXPECT_TRUE(client.response().ends_with("GET /next "));
}

TEST_F(HttpServerTest, ManyIdleKeepAliveConnectionsDoNotStarveANewOne) {
    start();  // one loop: the thread-per-connection server stalled the 17th connection here
    std::vector<std::unique_ptr<Client>> idle;
    for (int i = 0; i < 300; ++i) {
        idle.push_back(std::make_unique<Client>(server_->port()));
        idle.back()->send(get("/idle"));
        ASSERT_FALSE(idle.back()->response().empty());
    }
    const auto started = std::chrono::steady_clock::now();
    Client fresh(server_->port());
    fresh.send(get("/fresh"));
    EXPECT_TRUE(fresh.response().ends_with("GET /fresh "));
    EXPECT_LT(std::chrono::steady_clock::now() - started, 1s);
    EXPECT_EQ(server_->connectionCount(), 301u);
}

TEST_F(HttpServerTest, TricklingRequestIsClosedAtTheRequestDeadlineWithoutDelayingOthers) {
    HttpServer::Options options;
    options.deadlines = {.requestSeconds = 2, .idleSeconds = 30};
    start(options);
    Client slow(server_->port());
    const auto started = std::chrono::steady_clock::now();
    const std::string request = get("/slow");
    bool closed = false;
    for (std::size_t i = 0; i < request.size() && !closed; ++i) {
        closed = !slow.trySend(std::string_view(&request[i], 1));
        Client other(server_->port());  // others are answered at once meanwhile
        other.send(get("/other"));
        const auto asked = std::chrono::steady_clock::now();
        ASSERT_TRUE(other.response().ends_with("GET /other "));
        EXPECT_LT(std::chrono::steady_clock::now() - asked, 1s);
        if (std::chrono::steady_clock::now() - started > 4s) break;
        std::this_thread::sleep_for(400ms);
    }
    EXPECT_TRUE(slow.closedByServer());
    const auto lived = std::chrono::steady_clock::now() - started;
    EXPECT_GE(lived, 1s);
    EXPECT_LT(lived, 5s);
}

TEST_F(HttpServerTest, IdleKeepAliveConnectionIsClosedAtTheIdleDeadline) {
    HttpServer::Options options;
    options.deadlines = {.requestSeconds = 30, .idleSeconds = 1};
    start(options);
    Client client(server_->port());
    client.send(get("/once"));
    ASSERT_FALSE(client.response().empty());
    const auto answered = std::chrono::steady_clock::now();
    EXPECT_TRUE(client.closedByServer());
    EXPECT_LT(std::chrono::steady_clock::now() - answered, 4s);
}

TEST_F(HttpServerTest, ConnectionOverTheLimitGets503) {
    HttpServer::Options options;
    options.maxConnections = 2;
    start(options);
    Client a(server_->port());
    Client b(server_->port());
    a.send(get("/a"));
    b.send(get("/b"));
    ASSERT_FALSE(a.response().empty());
    ASSERT_FALSE(b.response().empty());
    Client c(server_->port());
    EXPECT_EQ(c.response().rfind("HTTP/1.1 503 ", 0), 0u);
    EXPECT_TRUE(c.closedByServer());
}

TEST_F(HttpServerTest, SeveralLoopsShareThePort) {
    HttpServer::Options options;
    options.loops = 3;
    start(options);
    std::vector<std::unique_ptr<Client>> clients;
    for (int i = 0; i < 30; ++i) {
        clients.push_back(std::make_unique<Client>(server_->port()));
        clients.back()->send(get("/" + std::to_string(i)));
    }
    for (int i = 0; i < 30; ++i)
        EXPECT_TRUE(clients[i]->response().ends_with("GET /" + std::to_string(i) + " "));
}

TEST_F(HttpServerTest, StopClosesIdleConnectionsAtOnceAndAnswersARequestInProgress) {
    start();
    Client idle(server_->port());
    idle.send(get("/idle"));
    ASSERT_FALSE(idle.response().empty());
    auto busy = std::make_unique<Client>(server_->port());
    busy->send("POST /late HTTP/1.1\r\nContent-Length: 4\r\n\r\nab");  // half a body
    std::this_thread::sleep_for(100ms);
    std::string late;
    std::thread finisher([&busy, &late] {
        std::this_thread::sleep_for(300ms);
        busy->send("cd");
        late = busy->response();
        busy.reset();  // a client told "Connection: close" closes: the server's drain ends
    });
    const auto started = std::chrono::steady_clock::now();
    server_->stop(3000ms);
    finisher.join();
    EXPECT_LT(std::chrono::steady_clock::now() - started, 2500ms);
    EXPECT_TRUE(idle.closedByServer());
    EXPECT_TRUE(late.ends_with("POST /late abcd")) << late;
    EXPECT_NE(late.find("Connection: close"), std::string::npos);
    server_.reset();
}

}  // namespace
}  // namespace resound::httpserver
