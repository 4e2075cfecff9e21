// FrameDecoder memory: the buffer follows the bytes that arrived, never the length a header declares.
#include <gtest/gtest.h>

#include <string>

#include "DecoderTestSupport.h"
#include "util/ArrivalBuffer.h"
#include "websocket/FrameDecoder.h"

using namespace resound::ws;
using namespace resound::ws::test;
using resound::util::kFirstArrivalReservation;

namespace {

constexpr std::size_t kBig = 64u << 20;  // an app that allows 64 MiB messages

// The header of a masked frame declaring `length` payload bytes with an all-zero mask, so that the
// payload can be sent as plain text without building (and masking) all of it up front.
std::string headerDeclaring(Opcode op, uint64_t length, bool fin = true) {
    std::string h;
    h.push_back(static_cast<char>((fin ? 0x80 : 0x00) | static_cast<int>(op)));
    if (length < 126) {
        h.push_back(static_cast<char>(0x80 | length));
    } else if (length <= 0xFFFF) {
        h.push_back(static_cast<char>(0x80 | 126));
        for (int shift = 8; shift >= 0; shift -= 8) h.push_back(static_cast<char>((length >> shift) & 0xFF));
    } else {
        h.push_back(static_cast<char>(0x80 | 127));
        for (int shift = 56; shift >= 0; shift -= 8) h.push_back(static_cast<char>((length >> shift) & 0xFF));
    }
    h.append(4, '\0');
    return h;
}

// Feeds `payload` in `chunk`-sized pieces, checking after each that the buffer holds at most twice
// what arrived (or the first step); returns how often the buffer was reallocated.
std::size_t feedPayload(FrameDecoder& decoder, RecordingHandler& handler, std::size_t total,
                        std::size_t chunk) {
    std::size_t reallocations = 0;
    for (std::size_t sent = 0; sent < total && !handler.stopped;) {
        std::string piece(std::min(chunk, total - sent), 'a');
        const std::size_t before = decoder.bufferCapacity();
        EXPECT_FALSE(decoder.feed(piece.data(), piece.size(), handler));
        sent += piece.size();
        if (decoder.bufferCapacity() != before) ++reallocations;
        EXPECT_LE(decoder.bufferCapacity(), std::max(kFirstArrivalReservation, 2 * decoder.bufferedBytes()));
    }
    return reallocations;
}

}  // namespace

TEST(FrameDecoderMemory, HugeDeclaredFrameWithOneByteCostsTheFirstStepOnly) {
    FrameDecoder decoder(kBig);
    RecordingHandler handler;
    std::string input = headerDeclaring(Opcode::Text, kBig - 1000) + "{";
    ASSERT_FALSE(decoder.feed(input.data(), input.size(), handler));
    EXPECT_TRUE(handler.events.empty());
    EXPECT_EQ(decoder.bufferedBytes(), 1u);
    EXPECT_LE(decoder.bufferCapacity(), kFirstArrivalReservation);

    // A further MiB in read-sized chunks: the buffer stays within twice what arrived.
    feedPayload(decoder, handler, 1u << 20, 64 * 1024);
    EXPECT_EQ(decoder.bufferedBytes(), (1u << 20) + 1);
    EXPECT_LE(decoder.bufferCapacity(), 2u * ((1u << 20) + 1));
}

TEST(FrameDecoderMemory, LargeFrameGrowsGeometricallyAndIsDeliveredWhole) {
    const std::size_t length = 4u << 20;
    FrameDecoder decoder(kBig);
    RecordingHandler handler;
    std::string header = headerDeclaring(Opcode::Text, length);
    ASSERT_FALSE(decoder.feed(header.data(), header.size(), handler));
    // 64 chunks of 64 KiB: a dozen reallocations at most (64 KiB .. 4 MiB), never one per chunk.
    EXPECT_LE(feedPayload(decoder, handler, length, 64 * 1024), 8u);
    ASSERT_EQ(handler.events.size(), 1u);
    EXPECT_EQ(handler.events[0], text(std::string(length, 'a')));
    EXPECT_EQ(decoder.bufferCapacity(), std::string().capacity());  // released once delivered
}

TEST(FrameDecoderMemory, BufferNeverPassesTheDeclaredEndOfTheMessage) {
    const std::size_t length = 300000;  // not a power of two: doubling would overshoot it
    FrameDecoder decoder(kBig);
    RecordingHandler handler;
    std::string header = headerDeclaring(Opcode::Text, length);
    ASSERT_FALSE(decoder.feed(header.data(), header.size(), handler));
    feedPayload(decoder, handler, length - 1, 50000);
    EXPECT_GE(decoder.bufferCapacity(), length - 1);
    EXPECT_LT(decoder.bufferCapacity(), length + 64);
}

TEST(FrameDecoderMemory, SmallSplitMessageIsStillOneExactAllocation) {
    // Up to the first step (4 KiB) a split message is sized once, to its declared end.
    FrameDecoder decoder(10000);
    RecordingHandler handler;
    std::string input = clientFrame(Opcode::Text, std::string(4000, 'm'));
    ASSERT_FALSE(decoder.feed(input.data(), 100, handler));
    const std::size_t capacity = decoder.bufferCapacity();
    EXPECT_GE(capacity, 4000u);
    EXPECT_LT(capacity, 4064u);
    ASSERT_FALSE(decoder.feed(input.data() + 100, input.size() - 200, handler));
    EXPECT_EQ(decoder.bufferCapacity(), capacity);
    ASSERT_FALSE(decoder.feed(input.data() + input.size() - 100, 100, handler));
    ASSERT_EQ(handler.events.size(), 1u);
    EXPECT_EQ(handler.events[0], text(std::string(4000, 'm')));
}

TEST(FrameDecoderMemory, FragmentsGrowWithArrivalsNotWithTheLimit) {
    FrameDecoder decoder(kBig);
    RecordingHandler handler;
    // A first fragment of 1 000 bytes under a 64 MiB limit: the first step, not the limit.
    std::string first = clientFrame(Opcode::Text, std::string(1000, 'f'), false);
    ASSERT_FALSE(decoder.feed(first.data(), first.size(), handler));
    EXPECT_LE(decoder.bufferCapacity(), kFirstArrivalReservation);

    // 20 000 one-byte fragments: the buffer doubles a few times instead of growing 20 000 times.
    std::size_t reallocations = 0;
    for (int i = 0; i < 20000; ++i) {
        std::string fragment = clientFrame(Opcode::Continuation, "g", false);
        const std::size_t before = decoder.bufferCapacity();
        ASSERT_FALSE(decoder.feed(fragment.data(), fragment.size(), handler));
        if (decoder.bufferCapacity() != before) ++reallocations;
    }
    EXPECT_LE(reallocations, 4u);
    EXPECT_LE(decoder.bufferCapacity(), 2u * decoder.bufferedBytes());
    std::string last = clientFrame(Opcode::Continuation, "!");
    ASSERT_FALSE(decoder.feed(last.data(), last.size(), handler));
    ASSERT_EQ(handler.events.size(), 1u);
    EXPECT_EQ(handler.events[0], text(std::string(1000, 'f') + std::string(20000, 'g') + "!"));
}

TEST(FrameDecoderMemory, SplitPingsBetweenFragmentsDoNotReallocateEachTime) {
    // A control frame buffered behind the fragments is dropped again afterwards; the buffer keeps its
    // headroom, so a stream of split pings does not copy the fragments over and over.
    FrameDecoder decoder(kBig);
    RecordingHandler handler;
    std::string fragment = clientFrame(Opcode::Text, std::string(100000, 'f'), false);
    ASSERT_FALSE(feedRandomSplits(decoder, fragment, handler, 3, 30000));
    std::size_t reallocations = 0;
    for (int i = 0; i < 200; ++i) {
        const std::size_t before = decoder.bufferCapacity();
        ASSERT_FALSE(feedByteByByte(decoder, clientFrame(Opcode::Ping, std::string(125, 'p')), handler));
        if (decoder.bufferCapacity() != before) ++reallocations;
        EXPECT_EQ(decoder.bufferedBytes(), 100000u);
    }
    EXPECT_LE(reallocations, 1u);
    EXPECT_EQ(handler.events.size(), 200u);
}
