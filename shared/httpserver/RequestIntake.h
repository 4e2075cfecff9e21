#pragma once
// The request-reading rules of one HTTP/1.x connection, shared by the edge and the HTTP server: the
// incremental parser with the configured limits (allocated only while a request is in progress), when
// to send "100 Continue", which deadline applies (a request in progress or a connection that has not
// sent a request yet gets the request deadline, an idle keep-alive connection the idle one), and
// pipelining (a complete request leaves the next request's bytes unconsumed).
// Owned and touched by the connection's loop thread only.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "http/RequestParser.h"

namespace resound::httpserver {

// Loop-second deadlines of HTTP connections (config: server.handshake_timeout, server.http_idle_timeout
// for the edge; HttpServer::Options for the small services).
struct HttpDeadlines {
    std::uint32_t requestSeconds = 10;  // first byte of a request (or the accept) to its last byte
    std::uint32_t idleSeconds = 10;     // keep-alive: answered the last request, nothing new since
};

class RequestIntake {
  public:
    static constexpr std::string_view kContinueResponse = "HTTP/1.1 100 Continue\r\n\r\n";
    enum class Step : std::uint8_t { NeedMore, Complete, Error };

    // Feeds bytes of the current request; `consumed` says how many were taken (after Complete the
    // rest belongs to the next request). `now` is the loop's second counter.
    Step feed(const char* data, std::size_t length, std::size_t& consumed, std::uint32_t now,
              const http::RequestParser::Limits& limits);

    // True once per request when the client waits for "100 Continue" before sending its body.
    bool takeContinue();

    // After Complete: the request (valid until next() or release()). After Error: the status and reason.
    http::Request& request() { return parser_->request(); }
    int errorStatus() const { return parser_->errorStatus(); }
    std::string_view errorReason() const { return parser_->errorReason(); }

    void next();     // the request was answered and the connection stays open: ready for the next one
    void release();  // no more HTTP on this connection (upgraded or closing): frees the parser

    bool midRequest() const { return startedAt_ != 0; }
    // True when the connection has outlived the deadline that applies to it; `lastBytesAt` is the
    // loop second of its last received bytes (or of the accept).
    bool expired(std::uint32_t now, std::uint32_t lastBytesAt, const HttpDeadlines& deadlines) const;

  private:
    std::unique_ptr<http::RequestParser> parser_;
    std::uint32_t startedAt_ = 0;  // loop second of the first byte of an incomplete request
    bool continueSent_ = false;
    bool served_ = false;  // completed at least one request (else the request deadline applies)
};

}  // namespace resound::httpserver
