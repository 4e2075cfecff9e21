// Fuzzes redis::RespParser (replies from Redis) and redis::appendCommand (what we send).
//
// Input: [limits: 4 bytes][chunk seed: 1][stream...]
//   limits byte 0 bit 7 set: the production defaults; else small limits derived from bytes 0-3.
// Oracles:
// - the stream fed whole, in seeded random chunks and (when short) byte by byte gives the same replies
//   and the same failure: results may not depend on how TCP split the bytes;
// - every reply respects the limits (bulk length, array length, nesting depth, line length);
// - a failed parser stays failed; re-encoding a reply and parsing it again gives the same reply;
// - a command built by appendCommand from pieces of the input parses back to exactly those pieces;
// - so does a script call built by appendEval (either verb, either overload, the same bytes), pipelined
//   behind that command.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "FuzzInput.h"
#include "redis/RespCommand.h"
#include "redis/RespParser.h"

using namespace resound;
using resound::fuzz::ChunkSizes;
using resound::fuzz::FuzzInput;

namespace {

constexpr std::size_t kMaxReplies = 4096;  // a stream of "+\r\n" repeated is cheap; bound the work

// Canonical RESP text of a reply, and a check of the limits on the way.
void encode(const redis::RespValue& value, const redis::RespLimits& limits, std::size_t depth,
            std::string& out) {
    using T = redis::RespValue::Type;
    switch (value.type) {
        case T::SimpleString:
        case T::Error:
            FUZZ_CHECK(value.text.size() <= limits.maxLineLength);
            FUZZ_CHECK(value.text.find_first_of("\r\n") == std::string::npos);
            out += value.type == T::Error ? '-' : '+';
            out += value.text + "\r\n";
            break;
        case T::Integer:
            out += ":" + std::to_string(value.integer) + "\r\n";
            break;
        case T::BulkString:
            FUZZ_CHECK(value.text.size() <= limits.maxBulkLength);
            out += "$" + std::to_string(value.text.size()) + "\r\n" + value.text + "\r\n";
            break;
        case T::Array:
            FUZZ_CHECK(value.elements.size() <= limits.maxArrayLength);
            FUZZ_CHECK(value.elements.empty() || depth < limits.maxDepth);
            out += "*" + std::to_string(value.elements.size()) + "\r\n";
            for (const auto& element : value.elements) encode(element, limits, depth + 1, out);
            break;
        case T::NullBulk:
            out += "$-1\r\n";
            break;
        case T::NullArray:
            out += "*-1\r\n";
            break;
    }
}

struct Outcome {
    std::string replies;  // canonical encoding of every reply, in order
    std::string error;
    bool idle = true;
};

template <typename NextSize>
Outcome parse(std::string_view stream, const redis::RespLimits& limits, NextSize nextSize) {
    redis::RespParser parser(limits);
    Outcome outcome;
    std::vector<redis::RespValue> out;
    std::size_t offset = 0;
    std::size_t count = 0;
    while (offset < stream.size() && count < kMaxReplies) {
        std::size_t n = nextSize(stream.size() - offset);
        if (n == 0 || n > stream.size() - offset) n = stream.size() - offset;
        const bool ok = parser.feed(stream.data() + offset, n, out);
        offset += n;
        for (const auto& reply : out) encode(reply, limits, 0, outcome.replies);
        count += out.size();
        out.clear();
        FUZZ_CHECK(ok == !parser.failed());
        if (!ok) {
            FUZZ_CHECK(!parser.error().empty());
            // Sticky: nothing more is accepted.
            FUZZ_CHECK(!parser.feed("+OK\r\n", 5, out) && out.empty());
            outcome.error = parser.error();
            break;
        }
    }
    outcome.idle = parser.idle();
    return outcome;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    FuzzInput input(data, size);
    const std::uint8_t b0 = input.byte();
    const std::uint8_t b1 = input.byte();
    const std::uint8_t b2 = input.byte();
    const std::uint8_t b3 = input.byte();
    redis::RespLimits limits;
    if ((b0 & 0x80) == 0) {
        limits.maxBulkLength = 1 + static_cast<std::size_t>(b0) * 32;
        limits.maxArrayLength = 1 + b1 % 64;
        limits.maxDepth = 1 + b2 % 16;
        limits.maxLineLength = 1 + static_cast<std::size_t>(b3) * 4;
    }
    const std::uint8_t seed = input.byte();
    const std::string_view stream = input.rest();

    const Outcome whole = parse(stream, limits, [](std::size_t) { return std::size_t{0}; });
    ChunkSizes sizes(seed);
    const Outcome chunked = parse(stream, limits, [&](std::size_t left) { return sizes.next(left); });
    FUZZ_CHECK(whole.replies == chunked.replies);
    FUZZ_CHECK(whole.error == chunked.error);
    FUZZ_CHECK(whole.idle == chunked.idle);
    if (stream.size() <= 512) {
        const Outcome bytewise = parse(stream, limits, [](std::size_t) { return std::size_t{1}; });
        FUZZ_CHECK(whole.replies == bytewise.replies);
        FUZZ_CHECK(whole.error == bytewise.error);
    }

    // What was accepted, re-encoded, parses back to itself.
    if (!whole.replies.empty()) {
        const Outcome again = parse(whole.replies, limits, [](std::size_t) { return std::size_t{0}; });
        FUZZ_CHECK(again.error.empty());
        FUZZ_CHECK(again.replies == whole.replies);
    }

    // Commands: split the stream into arguments at '\0' and check the encoding round-trips.
    std::vector<std::string_view> args;
    std::string_view rest = stream;
    while (!rest.empty() && args.size() < 64) {
        const std::size_t cut = rest.find('\0');
        args.push_back(rest.substr(0, cut));
        rest = cut == std::string_view::npos ? std::string_view{} : rest.substr(cut + 1);
    }
    if (!args.empty()) {
        std::string command;
        redis::appendCommand(command, args);
        redis::RespParser parser(redis::RespLimits{});
        std::vector<redis::RespValue> out;
        FUZZ_CHECK(parser.feed(command.data(), command.size(), out));
        FUZZ_CHECK(out.size() == 1 && out[0].isArray() && out[0].elements.size() == args.size());
        for (std::size_t i = 0; i < args.size(); ++i) {
            FUZZ_CHECK(out[0].elements[i].type == redis::RespValue::Type::BulkString);
            FUZZ_CHECK(out[0].elements[i].text == args[i]);
        }
        FUZZ_CHECK(parser.idle());

        // The first piece names the script; the seed splits the others into keys and args.
        const std::string_view script = args.front();
        const std::size_t pieces = args.size() - 1;
        const std::size_t keyCount = pieces == 0 ? 0 : seed % (pieces + 1);
        const std::span<const std::string_view> all(args.data() + 1, pieces);
        const auto keys = all.first(keyCount);
        const auto callArgs = all.subspan(keyCount);
        const redis::EvalVerb verb = (seed & 0x80) != 0 ? redis::EvalVerb::Eval : redis::EvalVerb::EvalSha;
        std::string pipelined = command;
        redis::appendEval(pipelined, verb, script, keys, callArgs);
        const std::vector<std::string> ownedKeys(keys.begin(), keys.end());
        const std::vector<std::string> ownedArgs(callArgs.begin(), callArgs.end());
        std::string fromStrings;
        redis::appendEval(fromStrings, verb, script, ownedKeys, ownedArgs);
        FUZZ_CHECK(pipelined.substr(command.size()) == fromStrings);
        redis::RespParser evalParser(redis::RespLimits{});
        out.clear();
        FUZZ_CHECK(evalParser.feed(pipelined.data(), pipelined.size(), out));
        FUZZ_CHECK(out.size() == 2 && out[1].isArray() && out[1].elements.size() == 3 + pieces);
        const auto& call = out[1].elements;
        FUZZ_CHECK(call[0].text == (verb == redis::EvalVerb::Eval ? "EVAL" : "EVALSHA"));
        FUZZ_CHECK(call[1].text == script);
        FUZZ_CHECK(call[2].text == std::to_string(keyCount));
        for (std::size_t i = 0; i < pieces; ++i) {
            FUZZ_CHECK(call[3 + i].type == redis::RespValue::Type::BulkString);
            FUZZ_CHECK(call[3 + i].text == all[i]);
        }
        FUZZ_CHECK(evalParser.idle());
    }
    return 0;
}
