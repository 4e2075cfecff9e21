#pragma once
// Incremental HTTP/1.1 response reader for the publisher's keep-alive connections: status, whether
// the connection stays open, and the body (Content-Length, chunked, or until close). Socket-free;
// tests feed it byte by byte. One thread at a time.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace resound::bench {

class HttpResponseReader {
  public:
    enum class Status { NeedMore, Complete, Invalid };

    // Consumes bytes from `data`. `consumed` says how many belonged to this response; on Complete the
    // rest belong to the next one (call reset() first).
    Status feed(std::string_view data, std::size_t& consumed);
    // The peer closed: completes a response whose body runs until close.
    Status finishAtEof();
    void reset();

    int status() const { return status_; }
    bool keepAlive() const { return keepAlive_; }
    // The first kKeptBodyBytes of the body (for error reports).
    const std::string& body() const { return body_; }
    const char* problem() const { return problem_; }

    static constexpr std::size_t kKeptBodyBytes = 512;
    static constexpr std::size_t kMaxHeadBytes = 16 * 1024;

  private:
    enum class Phase { Head, FixedBody, ChunkSize, ChunkData, ChunkDataEnd, Trailer, UntilClose, Done };

    bool parseHead();
    void keepBody(std::string_view bytes);
    Status fail(const char* why);

    Phase phase_ = Phase::Head;
    std::string head_;
    std::string line_;
    std::string body_;
    std::uint64_t remaining_ = 0;
    int status_ = 0;
    bool keepAlive_ = true;
    const char* problem_ = "";
};

}  // namespace resound::bench
