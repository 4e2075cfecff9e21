// runHealthcheck / probeHealth against a tiny in-test HTTP server (HttpService on a free port).
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <string>

#include "service/Healthcheck.h"
#include "service/HttpService.h"

namespace resound::service {
namespace {

using namespace std::chrono_literals;

class HealthcheckTest : public ::testing::Test {
  protected:
    void SetUp() override {
        HttpService::Options options;
        options.host = "127.0.0.1";
        options.threads = 2;
        server_ = std::make_unique<HttpService>(options, [this](const HttpExchange& request) {
            lastPath_ = request.path;
            if (request.path == "/health")
                return HttpReply{200, "application/json", "{\"status\":\"ok\"}", {}};
            if (request.path == "/ready") return jsonError(503, "not_ready", "redis down");
            return jsonError(404, "not_found", "no route");
        });
        server_->start();
    }
    void TearDown() override { server_->stop(0ms); }

    std::string url(const std::string& path) const {
        return "http://127.0.0.1:" + std::to_string(server_->port()) + path;
    }

    std::unique_ptr<HttpService> server_;
    std::string lastPath_;
};

TEST_F(HealthcheckTest, HealthyOn200) {
    const HealthcheckResult result = probeHealth(url("/health"), 3000ms);
    EXPECT_TRUE(result.healthy) << result.detail;
    EXPECT_EQ(result.status, 200);
    EXPECT_EQ(lastPath_, "/health");
    EXPECT_EQ(runHealthcheck(url("/health"), 3000ms), 0);
}

TEST_F(HealthcheckTest, UnhealthyOnOtherStatuses) {
    HealthcheckResult result = probeHealth(url("/ready"), 3000ms);
    EXPECT_FALSE(result.healthy);
    EXPECT_EQ(result.status, 503);
    EXPECT_NE(result.detail.find("503"), std::string::npos) << result.detail;
    EXPECT_EQ(runHealthcheck(url("/nowhere"), 3000ms), 1);
}

TEST_F(HealthcheckTest, QueryStringIsSent) {
    EXPECT_EQ(runHealthcheck(url("/health?probe=1"), 3000ms), 0);
    EXPECT_EQ(lastPath_, "/health");
}

TEST(Healthcheck, ConnectionRefusedIsUnhealthy) {
    // Bind then close: the port is very likely free and nobody listens on it.
    Poco::Net::ServerSocket probe(Poco::Net::SocketAddress("127.0.0.1", 0));
    const std::uint16_t port = probe.address().port();
    probe.close();
    const HealthcheckResult result =
        probeHealth("http://127.0.0.1:" + std::to_string(port) + "/health", 3000ms);
    EXPECT_FALSE(result.healthy);
    EXPECT_EQ(result.status, 0);
    EXPECT_FALSE(result.detail.empty());
}

TEST(Healthcheck, SilentServerFailsWithinTheTimeout) {
    // Accepts (the kernel completes the handshake from the backlog) but never answers.
    Poco::Net::ServerSocket silent(Poco::Net::SocketAddress("127.0.0.1", 0));
    const auto started = std::chrono::steady_clock::now();
    const HealthcheckResult result =
        probeHealth("http://127.0.0.1:" + std::to_string(silent.address().port()) + "/health", 300ms);
    const auto elapsed = std::chrono::steady_clock::now() - started;
    EXPECT_FALSE(result.healthy);
    EXPECT_NE(result.detail.find("no answer"), std::string::npos) << result.detail;
    EXPECT_LT(elapsed, 1500ms);
}

TEST(Healthcheck, RejectsUrlsItCannotProbe) {
    EXPECT_FALSE(probeHealth("https://127.0.0.1:1/health", 100ms).healthy);
    EXPECT_FALSE(probeHealth("not a url", 100ms).healthy);
    EXPECT_FALSE(probeHealth("http:///health", 100ms).healthy);
    EXPECT_EQ(runHealthcheck("ftp://x/", 100ms), 1);
}

}  // namespace
}  // namespace resound::service
