// Fuzzes ws::FrameDecoder (and Utf8Validator) with client byte streams.
//
// Input: [max size: 2 bytes][chunk seed: 1][stop after N callbacks: 1][stream...]
// Oracles:
// - the stream fed whole, in seeded random chunks and (for short inputs) byte by byte produces the
//   same callbacks and the same error: the decoder's results may not depend on TCP segmentation;
// - delivered messages respect the size limit, text is valid UTF-8 (checked against an independent
//   reference decoder), control payloads are <= 125 bytes, close codes are legal, nothing follows a
//   close, the decoder never holds more than one message plus one control frame;
// - Utf8Validator agrees with the reference, whole and incrementally;
// - a masked frame built by encodeMaskedFrame decodes back to its payload.
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "FuzzInput.h"
#include "websocket/FrameDecoder.h"
#include "websocket/FrameEncoder.h"
#include "websocket/Utf8Validator.h"

using namespace resound;
using resound::fuzz::ChunkSizes;
using resound::fuzz::FuzzInput;

namespace {

// RFC 3629 by decoding code points, written independently of Utf8Validator's state machine.
bool referenceUtf8(std::string_view text) {
    const auto* s = reinterpret_cast<const std::uint8_t*>(text.data());
    const std::size_t n = text.size();
    std::size_t i = 0;
    while (i < n) {
        const std::uint8_t lead = s[i];
        if (lead < 0x80) {
            ++i;
            continue;
        }
        std::size_t length;
        std::uint32_t cp;
        if ((lead & 0xE0) == 0xC0) {
            length = 2;
            cp = lead & 0x1F;
        } else if ((lead & 0xF0) == 0xE0) {
            length = 3;
            cp = lead & 0x0F;
        } else if ((lead & 0xF8) == 0xF0) {
            length = 4;
            cp = lead & 0x07;
        } else {
            return false;
        }
        if (i + length > n) return false;
        for (std::size_t k = 1; k < length; ++k) {
            if ((s[i + k] & 0xC0) != 0x80) return false;
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        if ((length == 2 && cp < 0x80) || (length == 3 && cp < 0x800) || (length == 4 && cp < 0x10000))
            return false;
        if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
        i += length;
    }
    return true;
}

bool validReceivedCloseCode(std::uint16_t code) {
    if (code == ws::close_code::NoStatus) return true;  // what onClose reports for an empty payload
    if (code >= 3000 && code <= 4999) return true;
    return code >= 1000 && code <= 1014 && code != 1004 && code != 1005 && code != 1006;
}

struct Recorder final : ws::FrameHandler {
    std::size_t maxMessageSize;
    std::size_t stopAfter;  // 0 = never return false
    std::string log;        // every callback, for comparing runs
    std::size_t calls = 0;
    bool closed = false;
    bool stopped = false;

    Recorder(std::size_t max, std::size_t stop) : maxMessageSize(max), stopAfter(stop) {}

    bool record(char kind, std::string_view payload, std::uint16_t code = 0) {
        FUZZ_CHECK(!closed);  // nothing may follow a close
        FUZZ_CHECK(!stopped);
        log += kind;
        log += std::to_string(code) + ":" + std::to_string(payload.size()) + ":";
        log.append(payload);
        ++calls;
        if (stopAfter != 0 && calls >= stopAfter) {
            stopped = true;
            return false;
        }
        return true;
    }
    bool onMessage(ws::Opcode op, std::string_view payload) override {
        FUZZ_CHECK(op == ws::Opcode::Text || op == ws::Opcode::Binary);
        FUZZ_CHECK(payload.size() <= maxMessageSize);
        if (op == ws::Opcode::Text) {
            FUZZ_CHECK(referenceUtf8(payload));
            FUZZ_CHECK(ws::Utf8Validator::isValid(payload));
        }
        return record(op == ws::Opcode::Text ? 'T' : 'B', payload);
    }
    bool onPing(std::string_view payload) override {
        FUZZ_CHECK(payload.size() <= ws::kMaxControlPayload);
        return record('i', payload);
    }
    bool onPong(std::string_view payload) override {
        FUZZ_CHECK(payload.size() <= ws::kMaxControlPayload);
        return record('o', payload);
    }
    bool onClose(std::uint16_t code, std::string_view reason) override {
        FUZZ_CHECK(validReceivedCloseCode(code));
        FUZZ_CHECK(reason.size() <= ws::kMaxControlPayload - 2);
        FUZZ_CHECK(referenceUtf8(reason));
        const bool keepGoing = record('C', reason, code);
        closed = true;
        return keepGoing;
    }
};

struct Outcome {
    std::string log;
    std::optional<ws::DecodeError> error;
};

// Feeds `stream` in pieces chosen by `nextSize` (0 = all at once), stopping at the first error or
// when the handler stops the decoder.
template <typename NextSize>
Outcome decode(std::string stream, std::size_t maxMessageSize, std::size_t stopAfter, NextSize nextSize) {
    ws::FrameDecoder decoder(maxMessageSize);
    Recorder recorder(maxMessageSize, stopAfter);
    Outcome outcome;
    std::size_t offset = 0;
    while (offset < stream.size()) {
        std::size_t n = nextSize(stream.size() - offset);
        if (n == 0 || n > stream.size() - offset) n = stream.size() - offset;
        outcome.error = decoder.feed(stream.data() + offset, n, recorder);
        offset += n;
        if (outcome.error) {
            FUZZ_CHECK(outcome.error->closeCode == ws::close_code::ProtocolError ||
                       outcome.error->closeCode == ws::close_code::InvalidPayload ||
                       outcome.error->closeCode == ws::close_code::MessageTooBig);
            FUZZ_CHECK(outcome.error->reason != nullptr && outcome.error->reason[0] != '\0');
            FUZZ_CHECK(decoder.bufferedBytes() == 0);  // a failed decoder releases its buffer
            break;
        }
        if (recorder.stopped) break;  // the decoder must not be fed after a handler said stop
        // One partial message plus one control frame interleaved in it, never more.
        FUZZ_CHECK(decoder.bufferedBytes() <= maxMessageSize + ws::kMaxControlPayload);
    }
    outcome.log = std::move(recorder.log);
    return outcome;
}

bool sameError(const std::optional<ws::DecodeError>& a, const std::optional<ws::DecodeError>& b) {
    if (a.has_value() != b.has_value()) return false;
    return !a || (a->closeCode == b->closeCode && std::strcmp(a->reason, b->reason) == 0);
}

void checkUtf8Validator(std::string_view text, std::uint8_t seed) {
    const bool expected = referenceUtf8(text);
    FUZZ_CHECK(ws::Utf8Validator::isValid(text) == expected);
    ws::Utf8Validator incremental;
    ChunkSizes sizes(seed);
    std::size_t offset = 0;
    bool ok = true;
    while (offset < text.size()) {
        const std::size_t n = std::min(sizes.next(8), text.size() - offset);
        ok = incremental.feed(text.substr(offset, n)) && ok;
        offset += n;
    }
    FUZZ_CHECK((ok && incremental.complete()) == expected);
    FUZZ_CHECK(!ok == incremental.failed());
}

void checkRoundTrip(std::string_view payload, std::uint32_t mask) {
    const ws::Opcode op = referenceUtf8(payload) ? ws::Opcode::Text : ws::Opcode::Binary;
    std::string frame = ws::encodeMaskedFrame(op, payload, mask);
    Recorder recorder(payload.size() + 1, 0);
    ws::FrameDecoder decoder(payload.size() + 1);
    const auto error = decoder.feed(frame.data(), frame.size(), recorder);
    FUZZ_CHECK(!error);
    std::string expected(op == ws::Opcode::Text ? "T" : "B");
    expected += "0:" + std::to_string(payload.size()) + ":";
    expected.append(payload);
    FUZZ_CHECK(recorder.log == expected);
    FUZZ_CHECK(decoder.bufferedBytes() == 0);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    FuzzInput input(data, size);
    const std::size_t maxMessageSize = 1 + input.u16() % 20000;
    const std::uint8_t seed = input.byte();
    const std::size_t stopAfter = input.byte() % 8;
    const std::string stream(input.rest());

    const Outcome whole =
        decode(stream, maxMessageSize, stopAfter, [](std::size_t) { return std::size_t{0}; });
    ChunkSizes sizes(seed);
    const Outcome chunked =
        decode(stream, maxMessageSize, stopAfter, [&](std::size_t left) { return sizes.next(left); });
    FUZZ_CHECK(whole.log == chunked.log);
    FUZZ_CHECK(sameError(whole.error, chunked.error));
    if (stream.size() <= 512) {
        const Outcome bytewise =
            decode(stream, maxMessageSize, stopAfter, [](std::size_t) { return std::size_t{1}; });
        FUZZ_CHECK(whole.log == bytewise.log);
        FUZZ_CHECK(sameError(whole.error, bytewise.error));
    }

    checkUtf8Validator(stream, seed);
    if ((seed & 0x80) != 0) checkRoundTrip(stream, 0x9E3779B9u * (seed + 1));
    return 0;
}
