#pragma once
// The HTTP face of the short request/response services (auth verifier, monitor): a socket-free
// handler (HttpExchange in, HttpReply out), so the services' logic is tested without sockets, served
// by the project's event-loop server (httpserver::HttpServer: the edge's parser, limits, deadlines
// and write queue; no thread per connection). Errors use the one error body (http/ErrorBody.h).
// Built, started and stopped from one thread (main); the handler runs on the loop threads,
// concurrently, and must not block.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "httpserver/ResponseStream.h"

namespace resound::httpserver {
class Exchange;
}

namespace resound::service {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct HttpExchange {
    std::string method;  // upper case as sent ("GET", "POST", "OPTIONS")
    std::string path;    // percent-encoded as sent, without the query
    std::string query;   // raw, without '?'
    HeaderList headers;  // in order; names lower-cased (header() ignores case)
    std::string body;    // at most HttpService::Options::maxBodyBytes
    std::string remote;  // "ip:port" of the peer, for logs

    // First header with this name (case-insensitive), or "" when absent.
    std::string_view header(std::string_view name) const;

    // Keeps the response open (Server-Sent Events): the head goes out now, chunks pushed through the
    // stream from any thread follow; the HttpReply the handler returns is then ignored. Only while the
    // handler runs inside HttpService (null otherwise, e.g. in tests calling a handler directly).
    std::shared_ptr<httpserver::ResponseStream> openStream(int status, std::string contentType,
                                                           HeaderList extraHeaders = {}) const;
    httpserver::Exchange* transport = nullptr;
};

struct HttpReply {
    int status = 200;
    std::string contentType = "application/json";
    std::string body;
    HeaderList headers;  // extra headers (CORS, WWW-Authenticate, ...)
};

using HttpHandler = std::function<HttpReply(const HttpExchange&)>;

// An error answer with the one error body (http/ErrorBody.h): `message` for people, `code` the stable
// word for programs (e.g. "invalid_token"), sent as "reason".
HttpReply jsonError(int status, std::string_view code, std::string_view message);

class HttpService;
// The metrics every HttpService-based binary adds to its /metrics (Prometheus text), under the same
// names as the edge's: resound_loop_registration_failures_total.
void appendServiceMetrics(std::string& out, const HttpService& service);

class HttpService {
  public:
    struct Options {
        std::string host = "0.0.0.0";
        std::uint16_t port = 0;                // 0 = any free port (tests); see port()
        unsigned threads = 0;                  // event-loop threads; 0 = number of cores
        std::size_t maxBodyBytes = 16 * 1024;  // larger bodies get 413 without reaching the handler
        std::size_t maxHeaderBytes =
            32 * 1024;  // request line + headers (cookies come along via proxies): else 431
        std::chrono::seconds keepAliveTimeout{10};  // an idle keep-alive connection is closed after this
        std::chrono::seconds requestTimeout{
            10};  // a request (or a new connection's first) must arrive within this
        std::string serverName = "resound";
        bool listen = true;     // false: no port of its own; connections come through adopt()
        bool keepAlive = true;  // false: Connection: close on every answer (httpserver::HttpServer::Options)
    };

    HttpService(Options options, HttpHandler handler);
    ~HttpService();  // stops if still running
    HttpService(const HttpService&) = delete;
    HttpService& operator=(const HttpService&) = delete;

    void start();                // binds and listens; throws std::exception on failure
    std::uint16_t port() const;  // the bound port (after start); 0 without a listener
    // Any thread, between start() and stop(): serves a connection another server accepted, with the
    // bytes already read from it (httpserver::HttpServer::adopt).
    void adopt(int fd, std::string remote, std::string alreadyRead);
    // Stops accepting, closes idle connections and open streams, lets requests in flight finish for up
    // to `grace`, then closes what remains.
    void stop(std::chrono::milliseconds grace = std::chrono::milliseconds(1000));
    // Connections closed because the event loop could not register them (httpserver::HttpServer's
    // sum): any thread after start(); while stop() runs, only the server's own loop threads.
    std::uint64_t registrationFailures() const;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace resound::service
