#pragma once
// A small HTTP/1.1 server for the short request/response services (auth verifier, monitor): Poco's
// HTTPServer with a pool sized to the cores, bounded request bodies, and a socket-free handler
// (HttpExchange in, HttpReply out) so the services' logic is tested without sockets.
// Built, started and stopped from one thread (main); the handler runs on pool threads, concurrently.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace resound::service {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct HttpExchange {
    std::string method;  // upper case as sent ("GET", "POST", "OPTIONS")
    std::string path;    // percent-encoded as sent, without the query
    std::string query;   // raw, without '?'
    HeaderList headers;  // as sent, in order
    std::string body;    // at most HttpService::Options::maxBodyBytes
    std::string remote;  // "ip:port" of the peer, for logs

    // First header with this name (case-insensitive), or "" when absent.
    std::string_view header(std::string_view name) const;
};

struct HttpReply {
    int status = 200;
    std::string contentType = "application/json";
    std::string body;
    HeaderList headers;  // extra headers (CORS, WWW-Authenticate, ...)
};

using HttpHandler = std::function<HttpReply(const HttpExchange&)>;

// {"error":"<code>","message":"<text>"}: the error body every service uses.
HttpReply jsonError(int status, std::string_view code, std::string_view message);

class HttpService {
  public:
    struct Options {
        std::string host = "0.0.0.0";
        std::uint16_t port = 0;  // 0 = any free port (tests); see port()
        unsigned threads = 0;    // 0 = number of cores (at least 2)
        std::size_t maxBodyBytes = 16 * 1024;  // larger bodies get 413 without reaching the handler
        std::chrono::seconds keepAliveTimeout{10};
        std::string serverName = "resound";
    };

    HttpService(Options options, HttpHandler handler);
    ~HttpService();  // stops if still running
    HttpService(const HttpService&) = delete;
    HttpService& operator=(const HttpService&) = delete;

    void start();                 // binds and listens; throws Poco::Exception / std::exception on failure
    std::uint16_t port() const;   // the bound port (after start)
    // Stops accepting, lets requests in flight finish for up to `grace`, then closes what remains.
    void stop(std::chrono::milliseconds grace = std::chrono::milliseconds(1000));

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace resound::service
