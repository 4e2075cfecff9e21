// Fuzzes http::RequestParser (pipelined requests on one connection) and the query-string decoder.
//
// Input: [max header bytes: 2][max body bytes: 2][chunk seed: 1][stream...]
// Oracles:
// - the stream parsed whole and in seeded random chunks (and byte by byte when short) yields the same
//   requests and the same error: results may not depend on how TCP split the bytes;
// - errors are one of 400, 413, 431, 501, 505 with a reason; a body never exceeds the limit nor a
//   header section its limit; `consumed` never exceeds what was fed;
// - parseQuery/percentDecode/percentEncode: decoding what percentEncode produced gives the input back.
#include <cstdint>
#include <string>

#include "FuzzInput.h"
#include "http/QueryString.h"
#include "http/Request.h"
#include "http/RequestParser.h"

using namespace resound;
using resound::fuzz::ChunkSizes;
using resound::fuzz::FuzzInput;

namespace {

constexpr int kMaxRequestsPerStream = 64;

void describe(const http::Request& request, std::string& log) {
    log += "REQ " + request.method + " " + request.target + " path=" + request.path +
           " query=" + request.query + " v=" + std::to_string(request.versionMinor) + "\n";
    for (const auto& [name, value] : request.headers) log += name + ": " + value + "\n";
    log += "body(" + std::to_string(request.body.size()) + ")=" + request.body + "\n";
    log += request.keepAlive() ? "keep-alive " : "close ";
    log += request.isWebSocketUpgrade() ? "upgrade\n" : "plain\n";
}

// What the server does with a request's query and path; checks the decoder's own invariants.
void exerciseDecoding(const http::Request& request) {
    for (const auto& [key, value] : http::parseQuery(request.query)) {
        FUZZ_CHECK(key.size() <= request.query.size() && value.size() <= request.query.size());
        FUZZ_CHECK(http::percentDecode(http::percentEncode(value)) == value);
        FUZZ_CHECK(http::percentDecode(http::percentEncode(key), true) == key);
    }
    const std::string path = http::percentDecode(request.path);
    FUZZ_CHECK(path.size() <= request.path.size());
    (void)request.header("content-type");
    (void)request.headerHasToken("connection", "upgrade");
}

template <typename NextSize>
std::string parseStream(std::string_view stream, http::RequestParser::Limits limits, NextSize nextSize) {
    http::RequestParser parser(limits);
    std::string log;
    std::size_t offset = 0;
    int requests = 0;
    while (offset < stream.size() && requests < kMaxRequestsPerStream) {
        std::size_t n = nextSize(stream.size() - offset);
        if (n == 0 || n > stream.size() - offset) n = stream.size() - offset;
        std::size_t consumed = 0;
        const auto status = parser.feed(stream.data() + offset, n, consumed);
        FUZZ_CHECK(consumed <= n);
        offset += consumed;
        if (status == http::RequestParser::Status::NeedMore) {
            FUZZ_CHECK(consumed == n);
            continue;
        }
        if (status == http::RequestParser::Status::Error) {
            const int code = parser.errorStatus();
            FUZZ_CHECK(code == 400 || code == 413 || code == 431 || code == 501 || code == 505);
            FUZZ_CHECK(!parser.errorReason().empty());
            log += "ERROR " + std::to_string(code) + " " + std::string(parser.errorReason()) + "\n";
            return log;
        }
        const http::Request& request = parser.request();
        FUZZ_CHECK(request.body.size() <= limits.maxBodyBytes);
        FUZZ_CHECK(request.target.size() < limits.maxHeaderBytes);
        FUZZ_CHECK(!request.method.empty() && !request.path.empty());
        describe(request, log);
        exerciseDecoding(request);
        // Complete: nothing more is consumed until reset.
        std::size_t again = 0;
        if (offset < stream.size()) {
            FUZZ_CHECK(parser.feed(stream.data() + offset, stream.size() - offset, again) ==
                       http::RequestParser::Status::Complete);
            FUZZ_CHECK(again == 0);
        }
        parser.reset();
        ++requests;
    }
    log += "END at " + std::to_string(offset) + "\n";
    return log;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    FuzzInput input(data, size);
    http::RequestParser::Limits limits;
    limits.maxHeaderBytes = 16 + input.u16() % 4096;
    limits.maxBodyBytes = input.u16() % 4096;
    const std::uint8_t seed = input.byte();
    const std::string_view stream = input.rest();

    const std::string whole = parseStream(stream, limits, [](std::size_t) { return std::size_t{0}; });
    ChunkSizes sizes(seed);
    const std::string chunked =
        parseStream(stream, limits, [&](std::size_t left) { return sizes.next(left); });
    FUZZ_CHECK(whole == chunked);
    if (stream.size() <= 1024) {
        const std::string bytewise = parseStream(stream, limits, [](std::size_t) { return std::size_t{1}; });
        FUZZ_CHECK(whole == bytewise);
    }

    // The query decoder on raw bytes, as the API handler calls it on every request.
    const http::QueryParams params = http::parseQuery(stream);
    std::size_t total = 0;
    for (const auto& [key, value] : params) total += key.size() + value.size();
    FUZZ_CHECK(total <= stream.size());
    FUZZ_CHECK(http::percentDecode(http::percentEncode(stream)) == stream);
    return 0;
}
