#include "service/HttpService.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>

#include "http/ErrorBody.h"
#include "httpserver/HttpServer.h"
#include "metrics/RegistrationFailures.h"

namespace resound::service {
namespace {

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

}  // namespace

std::string_view HttpExchange::header(std::string_view name) const {
    for (const auto& [key, value] : headers) {
        if (equalsIgnoreCase(key, name)) return value;
    }
    return {};
}

std::shared_ptr<httpserver::ResponseStream> HttpExchange::openStream(int status, std::string contentType,
                                                                     HeaderList extraHeaders) const {
    if (!transport) return nullptr;
    return transport->openStream(status, std::move(contentType), std::move(extraHeaders));
}

HttpReply jsonError(int status, std::string_view code, std::string_view message) {
    HttpReply reply;
    reply.status = status;
    reply.body = http::errorBody(status, message, code);
    return reply;
}

struct HttpService::Impl {
    Options options;
    HttpHandler handler;
    std::unique_ptr<httpserver::HttpServer> server;
    std::uint16_t port = 0;
    std::uint64_t failuresOfStoppedServer = 0;
};

HttpService::HttpService(Options options, HttpHandler handler) : impl_(std::make_unique<Impl>()) {
    impl_->options = std::move(options);
    impl_->handler = std::move(handler);
}

HttpService::~HttpService() { stop(std::chrono::milliseconds(0)); }

void HttpService::start() {
    const Options& o = impl_->options;
    httpserver::HttpServer::Options options;
    options.host = o.host;
    options.port = o.port;
    options.loops = o.threads;
    options.limits.maxBodyBytes = o.maxBodyBytes;
    options.limits.maxHeaderBytes = o.maxHeaderBytes;
    options.deadlines.idleSeconds =
        static_cast<std::uint32_t>(std::max<long long>(1, o.keepAliveTimeout.count()));
    options.deadlines.requestSeconds =
        static_cast<std::uint32_t>(std::max<long long>(1, o.requestTimeout.count()));
    options.serverName = o.serverName;
    options.listen = o.listen;
    options.keepAlive = o.keepAlive;

    impl_->server = std::make_unique<httpserver::HttpServer>(
        std::move(options),
        [handler = &impl_->handler](httpserver::Exchange& transport) -> httpserver::Reply {
            const http::Request& request = transport.request;
            HttpExchange exchange;
            exchange.method = request.method;
            exchange.path = request.path;
            exchange.query = request.query;
            exchange.headers = request.headers;
            exchange.body = request.body;
            exchange.remote = std::string(transport.remote);
            exchange.transport = &transport;
            HttpReply reply;
            try {
                reply = (*handler)(exchange);
            } catch (const std::exception& e) {
                spdlog::error("http handler failed: method={} path={} error={}", exchange.method,
                              exchange.path, e.what());
                reply = jsonError(500, "internal_error", "internal error");
            }
            return {reply.status, std::move(reply.contentType), std::move(reply.body),
                    std::move(reply.headers)};
        });
    impl_->server->start();
    impl_->port = impl_->server->port();
}

std::uint16_t HttpService::port() const { return impl_->port; }

void HttpService::adopt(int fd, std::string remote, std::string alreadyRead) {
    impl_->server->adopt(fd, std::move(remote), std::move(alreadyRead));
}

void HttpService::stop(std::chrono::milliseconds grace) {
    if (!impl_->server) return;
    impl_->server->stop(grace);
    impl_->failuresOfStoppedServer = impl_->server->registrationFailures();
    impl_->server.reset();
}

std::uint64_t HttpService::registrationFailures() const {
    // Read on the service's own loop threads (a /metrics request), so the server outlives the call;
    // after stop() the last count stays readable.
    return impl_->server ? impl_->server->registrationFailures() : impl_->failuresOfStoppedServer;
}

void appendServiceMetrics(std::string& out, const HttpService& service) {
    metrics::appendRegistrationFailures(out, service.registrationFailures());
}

}  // namespace resound::service
