// FrameDecoder: RFC 6455 examples, chunked feeding, fragmentation, zero-copy delivery, memory, stopping.
#include "websocket/FrameDecoder.h"

#include <gtest/gtest.h>

#include <memory>
#include <random>

#include "DecoderTestSupport.h"

using namespace resound::ws;
using namespace resound::ws::test;

namespace {

std::string patterned(std::size_t n, unsigned seed) {
    std::string s(n, '\0');
    for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>((i * 31 + seed) & 0xFF);
    return s;
}

}  // namespace

// RFC 6455 5.7: a single-frame masked text message, as literal bytes.
TEST(FrameDecoder, RfcMaskedHello) {
    expectDecodes(bytes({0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58}), {text("Hello")});
}

// RFC 6455 5.7: the unmasked "Hello" is a server frame; from a client it is a protocol error.
TEST(FrameDecoder, RfcUnmaskedHelloFromClientIsProtocolError) {
    expectError(bytes({0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f}), close_code::ProtocolError);
}

// RFC 6455 5.7: fragmented "Hel" + "lo" (masked here, as a client must send it).
TEST(FrameDecoder, RfcFragmentedHello) {
    expectDecodes(clientFrame(Opcode::Text, "Hel", false) + clientFrame(Opcode::Continuation, "lo"),
                  {text("Hello")});
}

// RFC 6455 5.7: ping "Hello", and the masked pong reply given there as literal bytes.
TEST(FrameDecoder, RfcPingAndMaskedPong) {
    expectDecodes(clientFrame(Opcode::Ping, "Hello"), {ping("Hello")});
    expectDecodes(bytes({0x8a, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58}), {pong("Hello")});
}

// RFC 6455 5.7: 256 bytes of binary (16-bit length) and 64 KiB of binary (64-bit length).
TEST(FrameDecoder, RfcBinary256And64KiB) {
    const std::string b256 = patterned(256, 1);
    const std::string frame256 = clientFrame(Opcode::Binary, b256);
    EXPECT_EQ(frame256.substr(0, 4), bytes({0x82, 0xFE, 0x01, 0x00}));
    expectDecodes(frame256, {binary(b256)});

    const std::string b64k = patterned(65536, 2);
    const std::string frame64k = clientFrame(Opcode::Binary, b64k);
    EXPECT_EQ(frame64k.substr(0, 10), bytes({0x82, 0xFF, 0, 0, 0, 0, 0, 0x01, 0x00, 0x00}));
    expectDecodes(frame64k, {binary(b64k)});
}

TEST(FrameDecoder, EmptyMessagesAndControlFrames) {
    expectDecodes(clientFrame(Opcode::Text, "") + clientFrame(Opcode::Binary, "") +
                      clientFrame(Opcode::Ping, "") + clientFrame(Opcode::Pong, ""),
                  {text(""), binary(""), ping(""), pong("")});
    // A fragmented message whose every fragment is empty is one empty message.
    expectDecodes(clientFrame(Opcode::Binary, "", false) + clientFrame(Opcode::Continuation, "", false) +
                      clientFrame(Opcode::Continuation, ""),
                  {binary("")});
}

TEST(FrameDecoder, LengthBoundariesRoundTrip) {
    for (std::size_t n : {0, 1, 125, 126, 127, 65535, 65536, 70001}) {
        SCOPED_TRACE(n);
        const std::string payload = patterned(n, static_cast<unsigned>(n));
        expectDecodes(clientFrame(Opcode::Binary, payload), {binary(payload)});
    }
}

TEST(FrameDecoder, ControlFramesBetweenFragmentsAreDeliveredImmediately) {
    const std::string input = clientFrame(Opcode::Text, "a", false) + clientFrame(Opcode::Ping, "p1") +
                              clientFrame(Opcode::Continuation, "b", false) + clientFrame(Opcode::Pong, "q") +
                              clientFrame(Opcode::Ping, "p2") + clientFrame(Opcode::Continuation, "c") +
                              clientFrame(Opcode::Text, "next");
    expectDecodes(input, {ping("p1"), pong("q"), ping("p2"), text("abc"), text("next")});

    // The control frame is delivered before the rest of the message even exists.
    FrameDecoder decoder(1000);
    RecordingHandler handler;
    EXPECT_FALSE(feedWhole(
        decoder, clientFrame(Opcode::Binary, "xy", false) + clientFrame(Opcode::Ping, "now"), handler));
    EXPECT_EQ(handler.events, std::vector<Event>{ping("now")});
    EXPECT_EQ(decoder.bufferedBytes(), 2u);  // only the first fragment is held
}

TEST(FrameDecoder, CloseBetweenFragmentsIsDelivered) {
    expectDecodes(clientFrame(Opcode::Text, "partial", false) +
                      encodeMaskedFrame(Opcode::Close, bytes({0x03, 0xE9}), 7),
                  {closeEvent(close_code::GoingAway, "")});
}

// A long mixed stream decodes identically however it is cut into chunks.
TEST(FrameDecoder, RandomMixedStreamIsSplitIndependent) {
    std::mt19937 rng(12345);
    std::string input;
    std::vector<Event> expected;
    for (int i = 0; i < 200; ++i) {
        const std::size_t size = rng() % 3 == 0 ? rng() % 3000 : rng() % 130;
        const bool isText = rng() % 2 == 0;
        const std::string payload =
            isText ? std::string(size, static_cast<char>('a' + i % 26)) : patterned(size, i);
        const Opcode op = isText ? Opcode::Text : Opcode::Binary;
        const uint32_t mask = static_cast<uint32_t>(rng());
        const int fragments = 1 + static_cast<int>(rng() % 4);
        std::size_t pos = 0;
        for (int f = 0; f < fragments; ++f) {
            const bool last = f == fragments - 1;
            const std::size_t len = last ? payload.size() - pos : (payload.size() - pos) / 2;
            input += encodeMaskedFrame(f == 0 ? op : Opcode::Continuation,
                                       std::string_view(payload).substr(pos, len), mask, last);
            pos += len;
            if (!last && rng() % 2 == 0) {
                const std::string body = patterned(rng() % 126, f);
                input += encodeMaskedFrame(Opcode::Ping, body, mask ^ 0x5555);
                expected.push_back(ping(body));
            }
        }
        expected.push_back(message(op, payload));
    }
    input += encodeMaskedFrame(Opcode::Close, bytes({0x03, 0xE8, 'o', 'k'}), 99);
    expected.push_back(closeEvent(close_code::Normal, "ok"));

    expectDecodes(input, expected);
    for (uint32_t seed = 100; seed < 120; ++seed) {
        SCOPED_TRACE(seed);
        FrameDecoder decoder(1 << 20);
        RecordingHandler handler;
        EXPECT_FALSE(feedRandomSplits(decoder, input, handler, seed, 1 + seed % 7 * 300));
        EXPECT_EQ(handler.events, expected);
    }
}

// A complete unfragmented frame inside the chunk is unmasked in place and delivered as a view into it.
TEST(FrameDecoder, CompleteFrameIsDeliveredWithoutCopy) {
    std::string chunk = clientFrame(Opcode::Text, "hello world") + clientFrame(Opcode::Ping, "pp") +
                        clientFrame(Opcode::Binary, std::string(300, 'z'));
    FrameDecoder decoder(1000);
    RecordingHandler handler;
    ASSERT_FALSE(decoder.feed(chunk.data(), chunk.size(), handler));
    ASSERT_EQ(handler.events.size(), 3u);
    EXPECT_EQ(handler.events[0].data, chunk.data() + 6);
    EXPECT_EQ(handler.events[1].data, chunk.data() + 6 + 11 + 6);
    EXPECT_EQ(handler.events[2].data, chunk.data() + 6 + 11 + 6 + 2 + 8);
    EXPECT_EQ(handler.events[0].payload, "hello world");
    EXPECT_EQ(chunk.substr(6, 11), "hello world");                  // unmasked in place
    EXPECT_EQ(decoder.bufferCapacity(), std::string().capacity());  // nothing was buffered
}

// A frame split across chunks has to be assembled, so it is delivered from the decoder's buffer.
TEST(FrameDecoder, SplitFrameIsAssembledInTheDecoder) {
    const std::string frame = clientFrame(Opcode::Text, "split payload");
    std::string first = frame.substr(0, 9);
    std::string second = frame.substr(9);
    FrameDecoder decoder(1000);
    RecordingHandler handler;
    ASSERT_FALSE(decoder.feed(first.data(), first.size(), handler));
    EXPECT_TRUE(handler.events.empty());
    EXPECT_EQ(decoder.bufferedBytes(), 3u);  // header bytes live in the decoder; payload bytes in the buffer
    ASSERT_FALSE(decoder.feed(second.data(), second.size(), handler));
    ASSERT_EQ(handler.events.size(), 1u);
    EXPECT_EQ(handler.events[0].payload, "split payload");
    EXPECT_FALSE(handler.events[0].data >= second.data() &&
                 handler.events[0].data < second.data() + second.size());
}

// A header split across chunks needs no buffer at all; the payload then arrives whole and is not copied.
TEST(FrameDecoder, SplitHeaderStillDeliversPayloadInPlace) {
    const std::string frame = clientFrame(Opcode::Binary, std::string(200, 'q'));
    std::string header = frame.substr(0, 8);
    std::string payload = frame.substr(8);
    FrameDecoder decoder(1000);
    RecordingHandler handler;
    ASSERT_FALSE(decoder.feed(header.data(), 3, handler));
    ASSERT_FALSE(decoder.feed(header.data() + 3, 5, handler));
    EXPECT_EQ(decoder.bufferedBytes(), 0u);
    ASSERT_FALSE(decoder.feed(payload.data(), payload.size(), handler));
    ASSERT_EQ(handler.events.size(), 1u);
    EXPECT_EQ(handler.events[0].data, payload.data());
    EXPECT_EQ(handler.events[0].payload, std::string(200, 'q'));
}

TEST(FrameDecoder, StaysSmall) { EXPECT_LE(sizeof(FrameDecoder), 96u); }

// Idle connections hold no heap: after a buffered message or control frame the buffer is released.
TEST(FrameDecoder, ReleasesBufferWhenMessageCompletes) {
    const std::size_t sso = std::string().capacity();
    FrameDecoder decoder(100000);
    RecordingHandler handler;
    ASSERT_FALSE(feedRandomSplits(decoder,
                                  clientFrame(Opcode::Binary, std::string(30000, 'a'), false) +
                                      clientFrame(Opcode::Continuation, std::string(30000, 'b')),
                                  handler, 7, 5000));
    ASSERT_EQ(handler.events.size(), 1u);
    EXPECT_EQ(handler.events[0].payload.size(), 60000u);
    EXPECT_EQ(decoder.bufferedBytes(), 0u);
    EXPECT_EQ(decoder.bufferCapacity(), sso);

    // A small split message is released as well.
    ASSERT_FALSE(feedByteByByte(decoder, clientFrame(Opcode::Text, "small"), handler));
    EXPECT_EQ(decoder.bufferCapacity(), sso);

    // A control frame buffered behind a fragment leaves exactly the fragment behind.
    ASSERT_FALSE(feedByteByByte(decoder,
                                clientFrame(Opcode::Text, std::string(100, 'f'), false) +
                                    clientFrame(Opcode::Ping, std::string(100, 'p')),
                                handler));
    EXPECT_EQ(decoder.bufferedBytes(), 100u);
    ASSERT_FALSE(feedByteByByte(decoder, clientFrame(Opcode::Continuation, "!"), handler));
    EXPECT_EQ(handler.events.back(), text(std::string(100, 'f') + "!"));
    EXPECT_EQ(decoder.bufferCapacity(), sso);

    ASSERT_FALSE(feedByteByByte(decoder, clientFrame(Opcode::Pong, std::string(100, 'p')), handler));
    EXPECT_EQ(decoder.bufferCapacity(), sso);
}

TEST(FrameDecoder, HandlerCanStopDecoding) {
    const std::string input = clientFrame(Opcode::Text, "one") + clientFrame(Opcode::Ping, "two") +
                              clientFrame(Opcode::Text, "three");
    for (std::size_t stopAt = 0; stopAt < 3; ++stopAt) {
        SCOPED_TRACE(stopAt);
        FrameDecoder decoder(1000);
        RecordingHandler handler;
        handler.stopAt = stopAt;
        EXPECT_FALSE(feedWhole(decoder, input, handler));
        EXPECT_EQ(handler.events.size(), stopAt + 1);
    }
    // Stopping on a message assembled in the buffer works the same.
    FrameDecoder decoder(1000);
    RecordingHandler handler;
    handler.stopAt = 0;
    EXPECT_FALSE(feedByteByByte(decoder,
                                clientFrame(Opcode::Text, "ab", false) +
                                    clientFrame(Opcode::Continuation, "cd") + clientFrame(Opcode::Pong, ""),
                                handler));
    EXPECT_EQ(handler.events, std::vector<Event>{text("abcd")});
}

// The handler may close the connection and destroy the decoder inside a callback (ASan checks that
// feed() does not touch it afterwards).
TEST(FrameDecoder, HandlerMayDestroyDecoderWhenStopping) {
    struct DestroyingHandler : FrameHandler {
        std::unique_ptr<FrameDecoder> decoder;
        int messages = 0;
        bool onMessage(Opcode, std::string_view) override {
            ++messages;
            decoder.reset();
            return false;
        }
        bool onPing(std::string_view) override { return true; }
        bool onPong(std::string_view) override { return true; }
        bool onClose(uint16_t, std::string_view) override {
            decoder.reset();
            return false;
        }
    };
    for (bool split : {false, true}) {
        std::string input = clientFrame(Opcode::Text, "bye", !split) +
                            (split ? clientFrame(Opcode::Continuation, "!") : "") +
                            clientFrame(Opcode::Text, "late");
        DestroyingHandler handler;
        handler.decoder = std::make_unique<FrameDecoder>(1000);
        EXPECT_FALSE(handler.decoder->feed(input.data(), input.size(), handler));
        EXPECT_EQ(handler.messages, 1);
        EXPECT_EQ(handler.decoder, nullptr);
    }
    std::string close = encodeMaskedFrame(Opcode::Close, bytes({0x03, 0xE8}), 5);
    DestroyingHandler handler;
    handler.decoder = std::make_unique<FrameDecoder>(1000);
    EXPECT_FALSE(handler.decoder->feed(close.data(), close.size(), handler));
    EXPECT_EQ(handler.decoder, nullptr);
}

// Nothing follows a Close frame: later bytes, in the same chunk or later ones, are ignored.
TEST(FrameDecoder, IgnoresInputAfterClose) {
    FrameDecoder decoder(1000);
    RecordingHandler handler;
    EXPECT_FALSE(feedWhole(
        decoder, encodeMaskedFrame(Opcode::Close, bytes({0x03, 0xE8}), 1) + clientFrame(Opcode::Text, "x"),
        handler));
    EXPECT_TRUE(decoder.closeReceived());
    EXPECT_FALSE(feedWhole(decoder, "garbage that is not a frame", handler));
    EXPECT_EQ(handler.events, std::vector<Event>{closeEvent(close_code::Normal, "")});
}

// Random bytes never crash the decoder (ASan/UBSan) and never yield events after an error.
TEST(FrameDecoder, SurvivesRandomInput) {
    std::mt19937 rng(4242);
    for (int round = 0; round < 2000; ++round) {
        std::string input(1 + rng() % 64, '\0');
        for (char& c : input) c = static_cast<char>(rng());
        if (round % 2 == 0)
            input[1] = static_cast<char>(input[1] | 0x80);  // masked: get past the first check
        FrameDecoder decoder(1000);
        RecordingHandler handler;
        const auto err = feedRandomSplits(decoder, input, handler, round, 5);
        if (err) {
            EXPECT_TRUE(err->closeCode == 1002 || err->closeCode == 1007 || err->closeCode == 1009);
            EXPECT_NE(err->reason, nullptr);
            const std::size_t before = handler.events.size();
            std::string more = clientFrame(Opcode::Text, "after");
            EXPECT_TRUE(decoder.feed(more.data(), more.size(), handler));  // still refuses
            EXPECT_EQ(handler.events.size(), before);
        }
    }
}

TEST(FrameDecoder, IdleOnlyBetweenMessages) {
    FrameDecoder decoder(1000);
    RecordingHandler handler;
    EXPECT_TRUE(decoder.idle());
    const std::string frame = clientFrame(Opcode::Text, "hello");
    std::string copy = frame;
    ASSERT_FALSE(decoder.feed(copy.data(), 3, handler));  // a header cut short
    EXPECT_FALSE(decoder.idle());
    ASSERT_FALSE(decoder.feed(copy.data() + 3, copy.size() - 4, handler));  // payload cut short
    EXPECT_FALSE(decoder.idle());
    ASSERT_FALSE(decoder.feed(copy.data() + copy.size() - 1, 1, handler));
    EXPECT_TRUE(decoder.idle());

    // A whole first fragment, even with a whole ping after it, leaves a message in progress.
    const std::string fragmentAndPing =
        clientFrame(Opcode::Text, "a", false) + clientFrame(Opcode::Ping, "p");
    EXPECT_FALSE(feedWhole(decoder, fragmentAndPing, handler));
    EXPECT_FALSE(decoder.idle());
    EXPECT_FALSE(feedWhole(decoder, clientFrame(Opcode::Continuation, "b"), handler));
    EXPECT_TRUE(decoder.idle());
    EXPECT_EQ(handler.events, (std::vector<Event>{text("hello"), ping("p"), text("ab")}));

    EXPECT_FALSE(feedWhole(decoder, encodeMaskedFrame(Opcode::Close, bytes({0x03, 0xE8}), 7), handler));
    EXPECT_FALSE(decoder.idle());  // closed: nothing more is decoded
}
