#pragma once
// Incremental, socket-free HTTP/1.0 and HTTP/1.1 request parser for the event loop: feed it whatever
// bytes arrived, in chunks of any size (byte by byte works), until it reports a complete request or
// an error status to answer with. One parser per HTTP connection, used by that connection's loop
// thread only.
//
// Behaviour worth knowing:
// - Stops after one complete request: pipelined bytes of the next request stay unconsumed; the
//   caller answers, calls reset() and feeds the rest.
// - Bodies come with Content-Length or "Transfer-Encoding: chunked" (the SDKs send the former; Caddy
//   forwards a chunked client body as it arrives). Chunked bodies are decoded into request().body
//   with the same maxBodyBytes limit (413 as soon as a chunk size would pass it); chunk extensions
//   are ignored, trailer fields are read (within maxHeaderBytes) and dropped. Against request
//   smuggling, a request with both Transfer-Encoding and Content-Length is a 400, as is chunked on
//   HTTP/1.0; any coding other than a lone "chunked" is a 501.
// - Content-Length above maxBodyBytes fails with 413 as soon as the headers are parsed, before any
//   body byte is read. A Content-Length within the limit reserves nothing up front: the body buffer
//   grows with the bytes that arrive (util/ArrivalBuffer.h). A header section (request line +
//   headers + blank line) longer than maxHeaderBytes fails with 431 without buffering more than that.
// - Lines end in CRLF; a bare LF is accepted too (RFC 9112 2.2), a bare CR is a 400. Empty lines
//   before the request line are skipped. Obsolete line folding, whitespace before ':' and
//   conflicting Content-Length values are 400. HTTP/2+ versions are 505.
// - After Error the connection should get the error response and be closed: the parser does not
//   resynchronise.
// - Idle footprint: the buffers are released by reset(); a parser between requests holds no heap.
#include <cstddef>
#include <string>
#include <string_view>

#include "http/Request.h"

namespace resound::http {

class RequestParser {
  public:
    struct Limits {
        std::size_t maxHeaderBytes = 8192;  // request line + headers + final blank line
        std::size_t maxBodyBytes = 10000;   // Content-Length above this is 413
    };
    enum class Status { NeedMore, Complete, Error };

    RequestParser();
    explicit RequestParser(Limits limits);

    // Consumes bytes from `data`; `consumed` says how many. NeedMore: all bytes were taken, feed more.
    // Complete: request() is ready and `consumed` may be < len (the rest belongs to the next
    // request). Error: see errorStatus(). Once Complete or Error, further calls consume nothing
    // until reset().
    Status feed(const char* data, std::size_t len, std::size_t& consumed);

    Request& request() { return request_; }
    const Request& request() const { return request_; }

    // True once the headers are in, the body is still to come and the client sent
    // "Expect: 100-continue": the caller should write "HTTP/1.1 100 Continue\r\n\r\n" once.
    bool expectsContinue() const;

    int errorStatus() const { return errorStatus_; }               // 400, 413, 431, 501 or 505; 0 if none
    std::string_view errorReason() const { return errorReason_; }  // short, user-facing

    // Ready for the next request; releases the buffers.
    void reset();

  private:
    enum class State { Start, Headers, Body, Chunked, Complete, Error };
    // Where a chunked body is: a chunk-size line, chunk data, the CRLF after the data, trailer lines.
    enum class ChunkPhase { Size, Data, DataEnd, Trailer };

    Status feedHeaders(const char*& data, std::size_t& left);
    Status feedBody(const char*& data, std::size_t& left);
    Status feedChunked(const char*& data, std::size_t& left);
    Status endChunkLine(std::string_view line);  // a complete line of the chunked framing
    Status parseHead(std::string_view head);
    bool parseRequestLine(std::string_view line);
    bool parseHeaderLine(std::string_view line);
    Status finishHeaders();
    Status fail(int status, const char* reason);
    bool reject(int status, const char* reason);  // fail() for the bool-returning line parsers

    Limits limits_;
    State state_ = State::Start;
    std::string head_;         // header bytes kept across feed() calls (only when split)
    std::size_t scanned_ = 0;  // bytes of head_ already searched for the end of the header section
    std::size_t bodyLength_ = 0;
    ChunkPhase chunkPhase_ = ChunkPhase::Size;
    std::size_t chunkLeft_ = 0;     // data bytes of the current chunk still to come
    std::string chunkLine_;         // a framing line split across feed() calls
    std::size_t trailerBytes_ = 0;  // trailer section so far, against maxHeaderBytes
    Request request_;
    int errorStatus_ = 0;
    const char* errorReason_ = "";
};

}  // namespace resound::http
