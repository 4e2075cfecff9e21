// HttpService handlers can keep a response open (the dashboard's Server-Sent Events) through
// HttpExchange::openStream; outside the server (a handler called directly) there is nothing to open.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <future>
#include <string>
#include <thread>

#include "service/HttpService.h"

namespace resound::service {
namespace {

using namespace std::chrono_literals;

std::string readUntil(int fd, const std::string& text) {
    std::string out;
    char chunk[4096];
    while (out.find(text) == std::string::npos) {
        const ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
        if (n <= 0) break;
        out.append(chunk, static_cast<std::size_t>(n));
    }
    return out;
}

TEST(HttpServiceStream, HandlerStreamsEventsPushedFromAnotherThread) {
    std::promise<std::shared_ptr<httpserver::ResponseStream>> opened;
    HttpService::Options options;
    options.host = "127.0.0.1";
    options.threads = 1;
    HttpService server(options, [&opened](const HttpExchange& request) {
        if (request.path != "/events") return jsonError(404, "not_found", "no such path");
        opened.set_value(request.openStream(200, "text/event-stream", {{"Cache-Control", "no-cache"}}));
        return HttpReply{};
    });
    server.start();

    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(server.port());
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
    timeval timeout{5, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    const std::string request = "GET /events HTTP/1.1\r\nHost: x\r\n\r\n";
    ASSERT_EQ(::send(fd, request.data(), request.size(), 0), static_cast<ssize_t>(request.size()));

    auto future = opened.get_future();
    ASSERT_EQ(future.wait_for(5s), std::future_status::ready);
    auto stream = future.get();
    ASSERT_TRUE(stream);
    std::thread([stream] { EXPECT_TRUE(stream->push("event: report\ndata: {}\n\n")); }).join();
    const std::string received = readUntil(fd, "data: {}\n\n\r\n");
    EXPECT_NE(received.find("HTTP/1.1 200 OK\r\n"), std::string::npos) << received;
    EXPECT_NE(received.find("Content-Type: text/event-stream\r\n"), std::string::npos);
    EXPECT_NE(received.find("Server: resound\r\n"), std::string::npos);
    EXPECT_NE(received.find("\r\n\r\n18\r\nevent: report\ndata: {}\n\n\r\n"), std::string::npos) << received;

    ::close(fd);
    server.stop(200ms);
    EXPECT_FALSE(stream->open());
}

TEST(HttpServiceStream, AnExchangeOutsideTheServerCannotStream) {
    HttpExchange exchange;
    EXPECT_EQ(exchange.openStream(200, "text/event-stream"), nullptr);
}

}  // namespace
}  // namespace resound::service
