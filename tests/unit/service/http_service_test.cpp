// HttpService: requests reach the handler with method, path, query, headers and body; bodies over the
// limit get 413; a throwing handler gets 500; stop() returns while a keep-alive connection is idle; a
// connection epoll refuses is closed alone, counted, and shown on /metrics.
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>
#include <gtest/gtest.h>

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <mutex>
#include <sstream>
#include <thread>

#include "service/HttpService.h"

namespace resound::service {
namespace {

using namespace std::chrono_literals;

struct Answer {
    int status;
    std::string body;
    std::string header;
};

Answer exchange(Poco::Net::HTTPClientSession& session, const std::string& method, const std::string& uri,
                const std::string& body = "", const std::string& headerName = "") {
    Poco::Net::HTTPRequest request(method, uri, Poco::Net::HTTPMessage::HTTP_1_1);
    request.set("X-Test", "yes");
    if (!body.empty() || method == "POST") request.setContentLength64(static_cast<Poco::Int64>(body.size()));
    session.sendRequest(request) << body;
    Poco::Net::HTTPResponse response;
    std::istream& in = session.receiveResponse(response);
    std::string text;
    Poco::StreamCopier::copyToString(in, text);
    return {static_cast<int>(response.getStatus()), text,
            headerName.empty() ? "" : response.get(headerName, "")};
}

class HttpServiceTest : public ::testing::Test {
  protected:
    void SetUp() override {
        HttpService::Options options;
        options.host = "127.0.0.1";
        options.threads = 2;
        options.maxBodyBytes = 64;
        server_ = std::make_unique<HttpService>(options, [this](const HttpExchange& request) {
            if (request.path == "/throw") throw std::runtime_error("boom");
            std::lock_guard lock(mutex_);
            seen_ = request;
            HttpReply reply{201, "text/plain", request.method + " " + request.body, {{"X-Echo", "1"}}};
            return reply;
        });
        server_->start();
        session_ = std::make_unique<Poco::Net::HTTPClientSession>("127.0.0.1", server_->port());
        session_->setTimeout(Poco::Timespan(3, 0));
    }
    void TearDown() override { server_->stop(0ms); }

    std::mutex mutex_;
    HttpExchange seen_;
    std::unique_ptr<HttpService> server_;
    std::unique_ptr<Poco::Net::HTTPClientSession> session_;
};

TEST_F(HttpServiceTest, PassesTheRequestToTheHandler) {
    const Answer answer = exchange(*session_, "POST", "/auth/x%20y?a=1&b=2", "socket_id=1.2", "X-Echo");
    EXPECT_EQ(answer.status, 201);
    EXPECT_EQ(answer.body, "POST socket_id=1.2");
    EXPECT_EQ(answer.header, "1");
    std::lock_guard lock(mutex_);
    EXPECT_EQ(seen_.path, "/auth/x%20y");
    EXPECT_EQ(seen_.query, "a=1&b=2");
    EXPECT_EQ(seen_.header("x-TEST"), "yes");
    EXPECT_EQ(seen_.header("absent"), "");
    EXPECT_FALSE(seen_.remote.empty());
}

TEST_F(HttpServiceTest, KeepAliveServesSeveralRequests) {
    EXPECT_EQ(exchange(*session_, "GET", "/a").status, 201);
    EXPECT_EQ(exchange(*session_, "GET", "/b").status, 201);
    std::lock_guard lock(mutex_);
    EXPECT_EQ(seen_.path, "/b");
}

TEST_F(HttpServiceTest, OversizedBodyIs413) {
    const Answer answer = exchange(*session_, "POST", "/auth", std::string(65, 'x'));
    EXPECT_EQ(answer.status, 413);
    // The same body the edge gives its own parser refusals (http::requestRefusalBody).
    EXPECT_EQ(answer.body, R"({"error":"Request body too large","code":413,"reason":"body_too_large"})");
}

TEST_F(HttpServiceTest, ThrowingHandlerGives500) {
    const Answer answer = exchange(*session_, "GET", "/throw");
    EXPECT_EQ(answer.status, 500);
    EXPECT_EQ(answer.body, R"({"error":"internal error","code":500,"reason":"internal_error"})");
}

TEST_F(HttpServiceTest, StopDoesNotWaitForIdleKeepAliveConnections) {
    EXPECT_EQ(exchange(*session_, "GET", "/a").status, 201);  // leaves an idle keep-alive connection
    const auto started = std::chrono::steady_clock::now();
    server_->stop(200ms);
    EXPECT_LT(std::chrono::steady_clock::now() - started, 2s);
}

TEST_F(HttpServiceTest, AConnectionEpollRefusesIsClosedAloneAndCounted) {
    // epoll_ctl refuses a regular file (EPERM): the same path as ENOMEM/ENOSPC under load.
    const int file = ::open("/proc/self/exe", O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    ASSERT_GE(file, 0);
    EXPECT_EQ(server_->registrationFailures(), 0u);
    server_->adopt(file, "test", "");
    // The loop counts the failure, then closes the descriptor: wait for both.
    for (int i = 0; i < 400 && (server_->registrationFailures() == 0 || ::fcntl(file, F_GETFD) != -1); ++i) {
        std::this_thread::sleep_for(5ms);
    }
    EXPECT_EQ(server_->registrationFailures(), 1u);
    EXPECT_EQ(::fcntl(file, F_GETFD), -1) << "the refused descriptor is closed";

    // The loops still serve, and the count is on the service's metrics text.
    EXPECT_EQ(exchange(*session_, "GET", "/after").status, 201);
    std::string text;
    appendServiceMetrics(text, *server_);
    EXPECT_NE(text.find("# TYPE resound_loop_registration_failures_total counter\n"), std::string::npos)
        << text;
    EXPECT_NE(text.find("\nresound_loop_registration_failures_total 1\n"), std::string::npos) << text;

    // The count is the loops' own: it outlives them.
    server_->stop(0ms);
    EXPECT_EQ(server_->registrationFailures(), 1u);
}

TEST(HttpServiceErrors, JsonErrorQuotesItsText) {
    const HttpReply reply = jsonError(403, "channel_not_allowed", "no \"x\"");
    EXPECT_EQ(reply.status, 403);
    EXPECT_EQ(reply.contentType, "application/json");
    EXPECT_EQ(reply.body, R"({"error":"no \"x\"","code":403,"reason":"channel_not_allowed"})");
}

}  // namespace
}  // namespace resound::service
