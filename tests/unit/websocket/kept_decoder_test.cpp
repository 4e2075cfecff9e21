// feedKeepingDecoderOnlyMidMessage: a connection holds a decoder only while a read ended inside a frame
// or a fragmented message, and however the reads cut the stream it decodes exactly as one decoder.
#include "websocket/KeptDecoder.h"

#include <gtest/gtest.h>

#include <memory>
#include <random>
#include <vector>

#include "DecoderTestSupport.h"

using namespace resound::ws;
using namespace resound::ws::test;

namespace {

constexpr std::size_t kLimit = 1 << 20;

// One read: its own heap buffer, so ASan catches a kept view into a read that is gone.
std::optional<DecodeError> feedRead(std::unique_ptr<FrameDecoder>& kept, std::string_view bytes,
                                    FrameHandler& handler, std::size_t limit = kLimit) {
    std::vector<char> read(bytes.begin(), bytes.end());
    return feedKeepingDecoderOnlyMidMessage(kept, limit, read.data(), read.size(), handler);
}

}  // namespace

TEST(KeptDecoder, AReadOfWholeFramesKeepsNoDecoder) {
    std::unique_ptr<FrameDecoder> kept;
    RecordingHandler handler;
    EXPECT_FALSE(feedRead(kept, clientFrame(Opcode::Text, "a") + clientFrame(Opcode::Ping, "p"), handler));
    EXPECT_EQ(kept, nullptr);
    EXPECT_EQ(handler.events, (std::vector<Event>{text("a"), ping("p")}));
}

// The case the edge meets whenever a client's frame straddles two reads: cut in the header, in the mask,
// in the payload, one byte before the end; text (UTF-8 checked across the cut) and binary.
TEST(KeptDecoder, AFrameCutAcrossReadsIsKeptUntilItsLastByte) {
    const std::string textPayload = "caf\xC3\xA9 " + std::string(300, 't');  // a 16-bit length header
    const std::string binaryPayload(200, '\xA5');
    for (const Event& expected : {text(textPayload), binary(binaryPayload)}) {
        const std::string frame = clientFrame(expected.op, expected.payload);
        const std::string after = clientFrame(Opcode::Ping, "next");
        for (std::size_t cut : {std::size_t{1}, std::size_t{2}, std::size_t{3}, std::size_t{5},
                                std::size_t{8}, std::size_t{9}, frame.size() / 2, frame.size() - 1}) {
            SCOPED_TRACE(std::to_string(int(expected.op)) + " cut at " + std::to_string(cut));
            std::unique_ptr<FrameDecoder> kept;
            RecordingHandler handler;
            ASSERT_FALSE(feedRead(kept, std::string_view(frame).substr(0, cut), handler));
            ASSERT_NE(kept, nullptr) << "a frame cut by the read must keep its decoder";
            EXPECT_TRUE(handler.events.empty());
            // The rest of the frame and a whole frame after it, in one read: the kept decoder finishes
            // the message and, idle again, is released.
            ASSERT_FALSE(feedRead(kept, frame.substr(cut) + after, handler));
            EXPECT_EQ(kept, nullptr);
            EXPECT_EQ(handler.events, (std::vector<Event>{expected, ping("next")}));
        }
    }
}

TEST(KeptDecoder, AFragmentedMessageIsKeptAcrossReadsUntilItsLastFragment) {
    std::unique_ptr<FrameDecoder> kept;
    RecordingHandler handler;
    ASSERT_FALSE(feedRead(kept, clientFrame(Opcode::Binary, "ab", false), handler));
    ASSERT_NE(kept, nullptr);  // whole frames, but a message in progress
    const FrameDecoder* first = kept.get();
    ASSERT_FALSE(feedRead(
        kept, clientFrame(Opcode::Ping, "p") + clientFrame(Opcode::Continuation, "c", false), handler));
    EXPECT_EQ(kept.get(), first);  // the same decoder goes on
    ASSERT_FALSE(feedRead(kept, clientFrame(Opcode::Continuation, "d"), handler));
    EXPECT_EQ(kept, nullptr);
    EXPECT_EQ(handler.events, (std::vector<Event>{ping("p"), binary("abcd")}));
}

// A handler stops when it closes the connection: nothing is kept for it, even mid-message or after a
// Close frame (both leave the decoder not idle).
TEST(KeptDecoder, AStoppedDecoderIsNotKept) {
    {
        std::unique_ptr<FrameDecoder> kept;
        RecordingHandler handler;
        handler.stopAt = 0;
        ASSERT_FALSE(feedRead(kept, clientFrame(Opcode::Text, "a", false) + clientFrame(Opcode::Ping, "stop"),
                              handler));
        EXPECT_EQ(kept, nullptr);
        EXPECT_EQ(handler.events, std::vector<Event>{ping("stop")});
    }
    {
        std::unique_ptr<FrameDecoder> kept;
        RecordingHandler handler;
        handler.stopAt = 0;
        ASSERT_FALSE(feedRead(kept, encodeMaskedFrame(Opcode::Close, bytes({0x03, 0xE8}), 7), handler));
        EXPECT_EQ(kept, nullptr);
    }
}

// What the edge does: closing the connection from a callback releases the kept decoder while that very
// decoder is feeding. FrameDecoder touches nothing of itself after a handler stops it, and the helper
// must not either (ASan watches).
TEST(KeptDecoder, AHandlerThatReleasesTheKeptDecoderMidFeedIsSafe) {
    class ReleasingHandler final : public FrameHandler {
      public:
        ReleasingHandler(std::unique_ptr<FrameDecoder>& kept, Opcode at) : kept_(kept), at_(at) {}
        bool onMessage(Opcode, std::string_view) override { return release(Opcode::Text); }
        bool onPing(std::string_view) override { return release(Opcode::Ping); }
        bool onPong(std::string_view) override { return true; }
        bool onClose(uint16_t, std::string_view) override { return release(Opcode::Close); }

      private:
        bool release(Opcode callback) {
            if (callback != at_) return true;
            kept_.reset();
            return false;
        }
        std::unique_ptr<FrameDecoder>& kept_;
        Opcode at_;
    };
    for (Opcode at : {Opcode::Text, Opcode::Ping, Opcode::Close}) {
        SCOPED_TRACE(int(at));
        std::unique_ptr<FrameDecoder> kept;
        ReleasingHandler handler(kept, at);
        // A fragmented message in progress: the connection keeps a decoder.
        ASSERT_FALSE(feedRead(kept, clientFrame(Opcode::Text, "he", false), handler));
        ASSERT_NE(kept, nullptr);
        const std::string rest = at == Opcode::Text ? clientFrame(Opcode::Continuation, "llo")
                                 : at == Opcode::Ping
                                     ? clientFrame(Opcode::Ping, "p")
                                     : encodeMaskedFrame(Opcode::Close, bytes({0x03, 0xE8}), 7);
        EXPECT_FALSE(feedRead(kept, rest + clientFrame(Opcode::Ping, "after"), handler));
        EXPECT_EQ(kept, nullptr);
    }
}

// After an error a fresh decoder is not kept; a kept one stays, still refusing, for the caller to close.
TEST(KeptDecoder, AnErroneousDecoderIsNotKeptAndAKeptOneKeepsRefusing) {
    std::unique_ptr<FrameDecoder> kept;
    RecordingHandler handler;
    const auto unmasked = feedRead(kept, bytes({0x81, 0x05, 'h', 'e'}), handler);
    ASSERT_TRUE(unmasked);
    EXPECT_EQ(unmasked->closeCode, close_code::ProtocolError);
    EXPECT_EQ(kept, nullptr);

    const std::string badText = clientFrame(Opcode::Text, "ok \xFF");
    ASSERT_FALSE(feedRead(kept, std::string_view(badText).substr(0, 7), handler));
    ASSERT_NE(kept, nullptr);
    const auto invalid = feedRead(kept, std::string_view(badText).substr(7), handler);
    ASSERT_TRUE(invalid);
    EXPECT_EQ(invalid->closeCode, close_code::InvalidPayload);
    ASSERT_NE(kept, nullptr);
    EXPECT_TRUE(feedRead(kept, clientFrame(Opcode::Text, "later"), handler));
    EXPECT_TRUE(handler.events.empty());
}

// However the reads cut a long stream (fragments with pings between them, frames of every size), a
// connection that keeps a decoder only mid-message decodes exactly as one decoder, and does drop it.
TEST(KeptDecoder, ReplacingIdleDecodersDecodesTheSame) {
    std::mt19937 rng(777);
    std::string input;
    std::vector<Event> expected;
    for (int i = 0; i < 150; ++i) {
        const std::size_t size = rng() % 3 == 0 ? rng() % 2000 : rng() % 100;
        const std::string payload(size, static_cast<char>('a' + i % 26));
        const Opcode op = i % 4 == 3 ? Opcode::Binary : Opcode::Text;
        if (rng() % 3 == 0 && payload.size() > 1) {
            const std::size_t half = payload.size() / 2;
            input += clientFrame(op, std::string_view(payload).substr(0, half), false);
            input += clientFrame(Opcode::Ping, "between");
            expected.push_back(ping("between"));
            input += clientFrame(Opcode::Continuation, std::string_view(payload).substr(half));
        } else {
            input += clientFrame(op, payload);
        }
        expected.push_back(message(op, payload));
    }
    for (uint32_t seed = 1; seed <= 20; ++seed) {
        SCOPED_TRACE(seed);
        std::mt19937 split(seed);
        RecordingHandler handler;
        std::unique_ptr<FrameDecoder> kept;
        int released = 0;
        for (std::size_t pos = 0; pos < input.size();) {
            const std::size_t n = std::min<std::size_t>(1 + split() % (1 + seed * 150), input.size() - pos);
            const bool held = kept != nullptr;
            ASSERT_FALSE(feedRead(kept, std::string_view(input).substr(pos, n), handler));
            if (held && !kept) ++released;
            pos += n;
        }
        EXPECT_EQ(handler.events, expected);
        EXPECT_EQ(kept, nullptr);  // the stream ends between messages
        EXPECT_GT(released, 0);
    }
}
