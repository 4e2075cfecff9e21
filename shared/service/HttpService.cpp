#include "service/HttpService.h"

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/ThreadPool.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <istream>
#include <thread>

#include "json/JsonText.h"

namespace resound::service {
namespace {

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
           });
}

// Pool threads serve one connection each for its whole life, idle keep-alive time included (a proxy
// keeps a few idle connections open). The work per request is tiny, so threads are cheap insurance
// against idle connections starving new ones: at least 16, four per core.
unsigned threadCount(unsigned configured) {
    if (configured != 0) return std::max(configured, 2u);
    return std::max(16u, 4 * std::max(1u, std::thread::hardware_concurrency()));
}

void send(Poco::Net::HTTPServerResponse& response, const HttpReply& reply) {
    response.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(reply.status));
    if (!reply.body.empty() || reply.status != 204) response.setContentType(reply.contentType);
    for (const auto& [name, value] : reply.headers) response.set(name, value);
    response.setContentLength64(static_cast<Poco::Int64>(reply.body.size()));
    response.send().write(reply.body.data(), static_cast<std::streamsize>(reply.body.size()));
}

class HandlerAdapter final : public Poco::Net::HTTPRequestHandler {
  public:
    HandlerAdapter(const HttpHandler& handler, std::size_t maxBodyBytes)
        : handler_(handler), maxBodyBytes_(maxBodyBytes) {}

    void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override {
        HttpExchange exchange;
        exchange.method = request.getMethod();
        const std::string& uri = request.getURI();
        const std::size_t question = uri.find('?');
        exchange.path = uri.substr(0, question);
        if (question != std::string::npos) exchange.query = uri.substr(question + 1);
        for (const auto& [name, value] : request) exchange.headers.emplace_back(name, value);
        exchange.remote = request.clientAddress().toString();

        if (request.hasContentLength() &&
            request.getContentLength64() > static_cast<Poco::Int64>(maxBodyBytes_)) {
            response.setKeepAlive(false);  // the unread body would be taken for the next request
            send(response, jsonError(413, "body_too_large", "request body too large"));
            return;
        }
        exchange.body.resize(maxBodyBytes_ + 1);
        std::istream& in = request.stream();
        in.read(exchange.body.data(), static_cast<std::streamsize>(exchange.body.size()));
        exchange.body.resize(static_cast<std::size_t>(in.gcount()));
        if (exchange.body.size() > maxBodyBytes_) {
            response.setKeepAlive(false);
            send(response, jsonError(413, "body_too_large", "request body too large"));
            return;
        }

        HttpReply reply;
        try {
            reply = handler_(exchange);
        } catch (const std::exception& e) {
            spdlog::error("http handler failed: method={} path={} error={}", exchange.method, exchange.path,
                          e.what());
            reply = jsonError(500, "internal_error", "internal error");
        }
        send(response, reply);
    }

  private:
    const HttpHandler& handler_;
    std::size_t maxBodyBytes_;
};

class HandlerFactory final : public Poco::Net::HTTPRequestHandlerFactory {
  public:
    HandlerFactory(const HttpHandler& handler, std::size_t maxBodyBytes)
        : handler_(handler), maxBodyBytes_(maxBodyBytes) {}

    Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
        return new HandlerAdapter(handler_, maxBodyBytes_);
    }

  private:
    const HttpHandler& handler_;
    std::size_t maxBodyBytes_;
};

}  // namespace

std::string_view HttpExchange::header(std::string_view name) const {
    for (const auto& [key, value] : headers) {
        if (equalsIgnoreCase(key, name)) return value;
    }
    return {};
}

HttpReply jsonError(int status, std::string_view code, std::string_view message) {
    HttpReply reply;
    reply.status = status;
    reply.body = "{\"error\":";
    json::appendQuoted(reply.body, code);
    reply.body += ",\"message\":";
    json::appendQuoted(reply.body, message);
    reply.body += '}';
    return reply;
}

struct HttpService::Impl {
    Options options;
    HttpHandler handler;
    std::unique_ptr<Poco::ThreadPool> pool;
    std::unique_ptr<Poco::Net::HTTPServer> server;
    std::uint16_t port = 0;
};

HttpService::HttpService(Options options, HttpHandler handler) : impl_(std::make_unique<Impl>()) {
    impl_->options = std::move(options);
    impl_->handler = std::move(handler);
}

HttpService::~HttpService() { stop(std::chrono::milliseconds(0)); }

void HttpService::start() {
    const unsigned threads = threadCount(impl_->options.threads);
    Poco::Net::ServerSocket socket;
    socket.bind(Poco::Net::SocketAddress(impl_->options.host, impl_->options.port), /*reuseAddress=*/true);
    socket.listen(256);

    Poco::Net::HTTPServerParams::Ptr params = new Poco::Net::HTTPServerParams;
    params->setMaxThreads(static_cast<int>(threads));
    params->setMaxQueued(256);
    params->setKeepAlive(true);
    params->setKeepAliveTimeout(Poco::Timespan(impl_->options.keepAliveTimeout.count(), 0));
    params->setTimeout(Poco::Timespan(10, 0));  // a client that stops sending mid-request
    params->setServerName(impl_->options.serverName);

    impl_->pool = std::make_unique<Poco::ThreadPool>(2, static_cast<int>(threads));
    impl_->server = std::make_unique<Poco::Net::HTTPServer>(
        new HandlerFactory(impl_->handler, impl_->options.maxBodyBytes), *impl_->pool, socket, params);
    impl_->server->start();
    impl_->port = impl_->server->port();
}

std::uint16_t HttpService::port() const { return impl_->port; }

void HttpService::stop(std::chrono::milliseconds grace) {
    if (!impl_->server) return;
    impl_->server->stop();  // no new connections
    const auto deadline = std::chrono::steady_clock::now() + grace;
    while (impl_->server->currentConnections() > 0 && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    impl_->server->stopAll(/*abortCurrent=*/true);  // idle keep-alive connections would wait out their timeout
    impl_->pool->joinAll();
    impl_->server.reset();
    impl_->pool.reset();
}

}  // namespace resound::service
