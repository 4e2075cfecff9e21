#pragma once
// Incremental RESP2 parser: bytes in (any chunking, down to one byte at a time), complete replies out.
// Pure and socket-free so it can be fuzzed; one instance per connection, used by one thread at a time.
// Malformed or over-limit input puts it in a sticky error state (the connection must be dropped).
#include <cstddef>
#include <string>
#include <vector>

#include "redis/RespValue.h"

namespace resound::redis {

struct RespLimits {
    std::size_t maxBulkLength = 64u << 20;  // bytes of one bulk string
    std::size_t maxArrayLength = 1u << 20;  // elements of one array
    std::size_t maxDepth = 16;              // nested arrays (keeps destruction recursion shallow)
    std::size_t maxLineLength = 64u << 10;  // simple string / error line
};

class RespParser {
  public:
    explicit RespParser(RespLimits limits = {});

    // Appends every reply completed by these bytes to `out`. Returns false once the input is malformed;
    // error() then says why, and every later call returns false until reset().
    bool feed(const char* data, std::size_t size, std::vector<RespValue>& out);

    bool failed() const { return !error_.empty(); }
    const std::string& error() const { return error_; }
    // True when no reply is half-read (a connection may be reused for a new request).
    bool idle() const { return state_ == State::Type && stack_.empty(); }
    void reset();

  private:
    enum class State { Type, Line, BulkData, BulkCr, BulkLf };

    struct OpenArray {
        RespValue value;
        std::size_t remaining = 0;
    };

    bool fail(std::string message);
    bool onLine(std::vector<RespValue>& out);
    // Hands a finished value to the innermost open array, or to `out` at top level.
    void complete(RespValue value, std::vector<RespValue>& out);

    RespLimits limits_;
    State state_ = State::Type;
    char type_ = 0;
    std::string line_;
    std::size_t bulkRemaining_ = 0;
    RespValue bulk_;
    std::vector<OpenArray> stack_;
    std::string error_;
};

}  // namespace resound::redis
