#pragma once
// The project's HTTP/1.1 server for request/response services (the auth verifier, the monitor):
// N epoll loops (loop::EventLoop), each with its own SO_REUSEPORT listening socket and the
// connections it accepted; requests are read with the incremental parser and the limits, deadlines
// and pipelining rules of RequestIntake, the same ones the edge's I/O threads apply, and answers go
// out through a WriteQueue. An idle keep-alive connection costs a few hundred bytes and no thread, so
// a proxy's pool of idle upstream connections cannot starve new requests. A handler may answer with
// a ResponseStream (Server-Sent Events): a connection held open, fed from any thread.
//
// Handlers run on the loop threads, concurrently on different loops: they must not block (the
// monitor's Redis reads and webhook deliveries run on their own threads and hand over snapshots).
// Built, started and stopped from one thread.
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "http/Request.h"
#include "http/RequestParser.h"
#include "httpserver/RequestIntake.h"
#include "httpserver/ResponseStream.h"

namespace resound::httpserver {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

// A complete answer. The server adds Content-Length, Connection, Server and Date.
struct Reply {
    int status = 200;
    std::string contentType = "application/json";  // omitted for a 204 without body
    std::string body;
    HeaderList headers;
};

class ServerLoop;
struct ServerConnection;

// One request being handled, on its connection's loop thread.
class Exchange {
  public:
    Exchange(const http::Request& request, std::string_view remote, ServerLoop& loop,
             ServerConnection& connection)
        : request(request), remote(remote), loop_(loop), connection_(connection) {}

    const http::Request& request;
    std::string_view remote;  // "ip:port" of the peer, for logs

    // Answers with this head now and keeps the response open: chunks pushed through the stream (from
    // any thread) follow as they come (chunked transfer encoding on HTTP/1.1). The Reply the handler
    // returns is then ignored. Further requests on the connection wait until the stream ends.
    std::shared_ptr<ResponseStream> openStream(int status, std::string contentType, HeaderList headers = {});
    const std::shared_ptr<ResponseStream>& stream() const { return stream_; }

  private:
    ServerLoop& loop_;
    ServerConnection& connection_;
    std::shared_ptr<ResponseStream> stream_;
};

using Handler = std::function<Reply(Exchange&)>;

class HttpServer {
  public:
    struct Options {
        std::string host = "0.0.0.0";
        std::uint16_t port = 0;  // 0 = any free port (tests); see port()
        unsigned loops = 0;      // 0 = one per core
        http::RequestParser::Limits limits{.maxHeaderBytes = 16 * 1024, .maxBodyBytes = 16 * 1024};
        HttpDeadlines deadlines{.requestSeconds = 10, .idleSeconds = 10};
        std::size_t maxConnections = 10000;  // beyond: 503 and close
        // Per connection: above it a pipelining client's requests are not read until its answers
        // drain, and a stream whose client does not read is closed.
        std::size_t maxQueuedBytes = 1024 * 1024;
        std::string serverName = "resound";
        // false: no listening socket; connections arrive through adopt() (the all-in-one server's
        // edge hands its /dashboard connections over this way). port() is then 0.
        bool listen = true;
        // false: every answer carries Connection: close (a stream closes the connection when it
        // ends). For adopted connections whose next request may belong to the server that handed
        // them over (a browser's or a proxy's keep-alive connection to the edge's port).
        bool keepAlive = true;
        // The answer to a request the parser refused (400, 413, 431, 501, 505), a handler that threw
        // (500) and a connection over maxConnections (503). Default: http::requestRefusalBody.
        std::function<Reply(int status, std::string_view reason)> errorReply;
    };

    HttpServer(Options options, Handler handler);
    ~HttpServer();  // stops if still running
    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;

    void start();                // binds, listens and starts the loops; throws std::runtime_error on failure
    std::uint16_t port() const;  // the bound port (after start)
    // Stops accepting, closes idle connections, ends open streams, lets requests in progress be answered
    // (with Connection: close) for up to `grace`, then closes what remains and joins the loops.
    void stop(std::chrono::milliseconds grace = std::chrono::milliseconds(1000));
    std::size_t connectionCount() const { return totalConnections_.load(std::memory_order_relaxed); }
    // Connections closed because epoll could not register them (ENOMEM, ENOSPC under load), since start:
    // the sum of the loops' own counts, still readable after stop(). Any thread after start(); while
    // stop() runs, only the loops' own threads (a /metrics request), which it joins before it changes
    // the list of loops.
    std::uint64_t registrationFailures() const;

    // Any thread, after start(): takes over a connected, non-blocking socket that another server
    // accepted, with the bytes it already read from it (one or more requests, possibly partial),
    // and serves it on one of this server's loops as if accepted here. Over maxConnections, or once
    // stopping, the client gets a 503 and the socket is closed.
    void adopt(int fd, std::string remote, std::string alreadyRead);

  private:
    Options options_;
    Handler handler_;
    std::atomic<std::size_t> totalConnections_{0};
    std::uint64_t registrationFailuresOfStoppedLoops_ = 0;  // what the loops counted before stop() ended them
    std::vector<std::unique_ptr<ServerLoop>> loops_;
    std::atomic<std::size_t> nextLoop_{0};  // adopt(): round robin over the loops
    std::uint16_t port_ = 0;
};

}  // namespace resound::httpserver
