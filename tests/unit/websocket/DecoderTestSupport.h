#pragma once
// Test helpers for FrameDecoder: a handler that records what it is given, and ways to feed input.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <ostream>
#include <random>
#include <string>
#include <vector>

#include "websocket/FrameDecoder.h"

namespace resound::ws::test {

struct Event {
    enum Kind { Message, Ping, Pong, Close } kind;
    Opcode op = Opcode::Continuation;  // for Message
    std::string payload;               // message / ping / pong payload, or close reason
    uint16_t code = 0;                 // for Close
    const char* data = nullptr;        // where the delivered view pointed

    bool operator==(const Event& o) const {
        return kind == o.kind && op == o.op && payload == o.payload && code == o.code;
    }
};

inline std::ostream& operator<<(std::ostream& os, const Event& e) {
    static const char* names[] = {"Message", "Ping", "Pong", "Close"};
    return os << names[e.kind] << "(op=" << int(e.op) << ", code=" << e.code << ", " << e.payload.size()
              << " bytes)";
}

inline Event message(Opcode op, std::string payload) { return {Event::Message, op, std::move(payload)}; }
inline Event text(std::string payload) { return message(Opcode::Text, std::move(payload)); }
inline Event binary(std::string payload) { return message(Opcode::Binary, std::move(payload)); }
inline Event ping(std::string payload) { return {Event::Ping, Opcode::Continuation, std::move(payload)}; }
inline Event pong(std::string payload) { return {Event::Pong, Opcode::Continuation, std::move(payload)}; }
inline Event closeEvent(uint16_t code, std::string reason) {
    return {Event::Close, Opcode::Continuation, std::move(reason), code};
}

class RecordingHandler : public FrameHandler {
  public:
    std::vector<Event> events;
    // Return false (stop) from the callback that records event number stopAt (0-based).
    std::optional<std::size_t> stopAt;
    bool stopped = false;  // a callback returned false: the decoder must not be fed again

    bool onMessage(Opcode op, std::string_view payload) override {
        return record({Event::Message, op, std::string(payload), 0, payload.data()});
    }
    bool onPing(std::string_view payload) override {
        return record({Event::Ping, Opcode::Continuation, std::string(payload), 0, payload.data()});
    }
    bool onPong(std::string_view payload) override {
        return record({Event::Pong, Opcode::Continuation, std::string(payload), 0, payload.data()});
    }
    bool onClose(uint16_t code, std::string_view reason) override {
        return record({Event::Close, Opcode::Continuation, std::string(reason), code, reason.data()});
    }

  private:
    bool record(Event e) {
        events.push_back(std::move(e));
        stopped = stopAt && *stopAt == events.size() - 1;
        return !stopped;
    }
};

inline std::string bytes(std::initializer_list<int> list) {
    std::string s;
    for (int b : list) s.push_back(static_cast<char>(b));
    return s;
}

// A masked client frame with a fixed, non-trivial mask.
inline std::string clientFrame(Opcode op, std::string_view payload, bool fin = true, uint8_t rsv = 0) {
    return encodeMaskedFrame(op, payload, 0x1F2E3D4C, fin, rsv);
}

// Feeds `input` in chunks whose sizes are given by `nextChunk`; stops at the first error.
template <typename ChunkSize>
std::optional<DecodeError> feedInChunks(FrameDecoder& decoder, const std::string& input,
                                        RecordingHandler& handler, ChunkSize nextChunk) {
    std::string copy = input;  // the decoder unmasks in place
    std::size_t pos = 0;
    while (pos < copy.size() && !handler.stopped) {
        const std::size_t n = std::min(nextChunk(), copy.size() - pos);
        // Each chunk gets its own heap buffer so ASan catches reads past the chunk's end.
        std::vector<char> chunk(copy.begin() + pos, copy.begin() + pos + n);
        if (auto err = decoder.feed(chunk.data(), chunk.size(), handler)) return err;
        pos += n;
    }
    return std::nullopt;
}

inline std::optional<DecodeError> feedWhole(FrameDecoder& decoder, const std::string& input,
                                            RecordingHandler& handler) {
    std::string copy = input;
    return decoder.feed(copy.data(), copy.size(), handler);
}

inline std::optional<DecodeError> feedByteByByte(FrameDecoder& decoder, const std::string& input,
                                                 RecordingHandler& handler) {
    return feedInChunks(decoder, input, handler, [] { return std::size_t{1}; });
}

inline std::optional<DecodeError> feedRandomSplits(FrameDecoder& decoder, const std::string& input,
                                                   RecordingHandler& handler, uint32_t seed,
                                                   std::size_t maxChunk = 40) {
    std::mt19937 rng(seed);
    std::uniform_int_distribution<std::size_t> dist(1, maxChunk);
    return feedInChunks(decoder, input, handler, [&] { return dist(rng); });
}

// Runs `input` through a fresh decoder whole, byte by byte and in several random splittings, and checks
// that every way gives the same events and (if any) the same close code.
struct Outcome {
    std::vector<Event> events;
    std::optional<uint16_t> errorCode;
};

inline Outcome decodeWith(const std::string& input, std::size_t maxMessageSize, int mode) {
    FrameDecoder decoder(maxMessageSize);
    RecordingHandler handler;
    std::optional<DecodeError> err;
    if (mode == 0) {
        err = feedWhole(decoder, input, handler);
    } else if (mode == 1) {
        err = feedByteByByte(decoder, input, handler);
    } else {
        err = feedRandomSplits(decoder, input, handler, static_cast<uint32_t>(mode));
    }
    Outcome out{std::move(handler.events), std::nullopt};
    if (err) out.errorCode = err->closeCode;
    return out;
}

inline void expectDecodes(const std::string& input, const std::vector<Event>& expected,
                          std::optional<uint16_t> expectedError = std::nullopt,
                          std::size_t maxMessageSize = 1 << 20) {
    for (int mode = 0; mode < 8; ++mode) {
        SCOPED_TRACE(mode == 0   ? "whole"
                     : mode == 1 ? "byte by byte"
                                 : "random split, seed " + std::to_string(mode));
        const Outcome out = decodeWith(input, maxMessageSize, mode);
        EXPECT_EQ(out.events, expected);
        EXPECT_EQ(out.errorCode, expectedError);
    }
}

inline void expectError(const std::string& input, uint16_t code, std::size_t maxMessageSize = 1 << 20) {
    expectDecodes(input, {}, code, maxMessageSize);
}

}  // namespace resound::ws::test
