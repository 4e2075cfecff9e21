// FrameDecoder: every protocol rule, the close code it yields, and how early it is detected.
#include <gtest/gtest.h>

#include "DecoderTestSupport.h"
#include "websocket/FrameDecoder.h"

using namespace resound::ws;
using namespace resound::ws::test;

namespace {

constexpr uint16_t kProtocol = close_code::ProtocolError;

// Feeds only `input` (e.g. a bare header) to a fresh decoder and returns the close code, if any.
std::optional<uint16_t> codeAfterFeeding(const std::string& input, std::size_t maxMessageSize = 10000) {
    FrameDecoder decoder(maxMessageSize);
    RecordingHandler handler;
    const auto err = feedWhole(decoder, input, handler);
    EXPECT_TRUE(handler.events.empty());
    if (!err) return std::nullopt;
    EXPECT_NE(err->reason, nullptr);
    EXPECT_GT(std::string(err->reason).size(), 0u);
    return err->closeCode;
}

// A masked header declaring a 64-bit payload length, with mask key, and no payload.
std::string header64(uint8_t firstByte, uint64_t length) {
    std::string h = bytes({firstByte, 0xFF});
    for (int shift = 56; shift >= 0; shift -= 8) h.push_back(static_cast<char>((length >> shift) & 0xFF));
    return h + bytes({1, 2, 3, 4});
}

std::string closeFrame(std::string payload) { return encodeMaskedFrame(Opcode::Close, payload, 0xCAFEBABE); }

std::string closePayload(uint16_t code, std::string_view reason = "") {
    return bytes({code >> 8, code & 0xFF}) + std::string(reason);
}

}  // namespace

TEST(FrameDecoderRules, UnmaskedClientFrameIsProtocolError) {
    expectError(encodeFrame(Opcode::Text, "hi"), kProtocol);
    expectError(encodeFrame(Opcode::Ping, ""), kProtocol);
    EXPECT_EQ(codeAfterFeeding(bytes({0x81, 0x05})), kProtocol);  // detected from the first two bytes
}

TEST(FrameDecoderRules, ReservedBitsAreProtocolError) {
    for (uint8_t rsv : {1, 2, 4, 7}) {
        SCOPED_TRACE(int(rsv));
        expectError(clientFrame(Opcode::Text, "x", true, rsv), kProtocol);
        expectError(clientFrame(Opcode::Ping, "", true, rsv), kProtocol);
        EXPECT_EQ(codeAfterFeeding(clientFrame(Opcode::Binary, "abc", true, rsv).substr(0, 2)), kProtocol);
    }
}

TEST(FrameDecoderRules, UnknownOpcodesAreProtocolError) {
    for (int op : {3, 4, 5, 6, 7, 0xB, 0xC, 0xD, 0xE, 0xF}) {
        SCOPED_TRACE(op);
        expectError(clientFrame(static_cast<Opcode>(op), "x"), kProtocol);
        EXPECT_EQ(codeAfterFeeding(bytes({0x80 | op, 0x80})), kProtocol);
    }
}

TEST(FrameDecoderRules, ControlFramesLongerThan125AreProtocolError) {
    expectDecodes(clientFrame(Opcode::Ping, std::string(125, 'p')), {ping(std::string(125, 'p'))});
    for (Opcode op : {Opcode::Ping, Opcode::Pong, Opcode::Close}) {
        SCOPED_TRACE(int(op));
        expectError(clientFrame(op, std::string(126, 'p')), kProtocol);
        EXPECT_EQ(codeAfterFeeding(bytes({0x80 | int(op), 0x80 | 126})), kProtocol);  // before length bytes
    }
}

TEST(FrameDecoderRules, FragmentedControlFramesAreProtocolError) {
    for (Opcode op : {Opcode::Ping, Opcode::Pong, Opcode::Close}) {
        SCOPED_TRACE(int(op));
        expectError(clientFrame(op, "", false), kProtocol);
    }
}

TEST(FrameDecoderRules, ContinuationWithoutMessageIsProtocolError) {
    expectError(clientFrame(Opcode::Continuation, "orphan"), kProtocol);
    expectError(clientFrame(Opcode::Continuation, "orphan", false), kProtocol);
    // Also right after a complete message.
    expectDecodes(clientFrame(Opcode::Text, "done") + clientFrame(Opcode::Continuation, "more"),
                  {text("done")}, kProtocol);
}

TEST(FrameDecoderRules, NewMessageInsideFragmentedMessageIsProtocolError) {
    for (Opcode op : {Opcode::Text, Opcode::Binary}) {
        SCOPED_TRACE(int(op));
        expectDecodes(
            clientFrame(Opcode::Text, "a", false) + clientFrame(Opcode::Ping, "") + clientFrame(op, "b"),
            {ping("")}, kProtocol);
        expectError(clientFrame(Opcode::Binary, "a", false) + clientFrame(op, "b", false), kProtocol);
    }
}

TEST(FrameDecoderRules, NonMinimalLengthsAreProtocolError) {
    // 5 bytes declared with the 16-bit form.
    expectError(bytes({0x82, 0x80 | 126, 0x00, 0x05, 0, 0, 0, 0, 'a', 'b', 'c', 'd', 'e'}), kProtocol);
    EXPECT_EQ(codeAfterFeeding(bytes({0x82, 0x80 | 126, 0x00, 0x7D})), kProtocol);  // 125: still 7-bit
    EXPECT_EQ(codeAfterFeeding(bytes({0x82, 0x80 | 126, 0x00, 0x7E, 0, 0, 0, 0})),
              std::nullopt);  // 126 is fine
    // 200 and 65535 declared with the 64-bit form.
    EXPECT_EQ(codeAfterFeeding(header64(0x82, 200)), kProtocol);
    EXPECT_EQ(codeAfterFeeding(header64(0x82, 0xFFFF)), kProtocol);
    EXPECT_EQ(codeAfterFeeding(header64(0x82, 0x10000), 1 << 20), std::nullopt);
}

TEST(FrameDecoderRules, SixtyFourBitLengthWithTopBitIsProtocolError) {
    EXPECT_EQ(codeAfterFeeding(header64(0x82, 0x8000000000000000ULL), SIZE_MAX), kProtocol);
    EXPECT_EQ(codeAfterFeeding(header64(0x82, 0xFFFFFFFFFFFFFFFFULL), SIZE_MAX), kProtocol);
}

// The size limit is enforced from the header alone: no payload is awaited or allocated.
TEST(FrameDecoderRules, OversizedFrameIsRefusedFromItsHeader) {
    EXPECT_EQ(codeAfterFeeding(header64(0x82, 0x7FFFFFFFFFFFFFFFULL)), close_code::MessageTooBig);
    // Even before the mask key arrives.
    EXPECT_EQ(codeAfterFeeding(header64(0x81, 0x7FFFFFFFFFFFFFFFULL).substr(0, 10)),
              close_code::MessageTooBig);
    // 16-bit length one over the limit.
    EXPECT_EQ(codeAfterFeeding(bytes({0x81, 0x80 | 126, 0x27, 0x11}), 10000), close_code::MessageTooBig);

    FrameDecoder decoder(10000);
    RecordingHandler handler;
    const auto err = feedByteByByte(decoder, header64(0x82, 0x7FFFFFFFFFFFFFFFULL), handler);
    ASSERT_TRUE(err);
    EXPECT_EQ(err->closeCode, close_code::MessageTooBig);
    EXPECT_EQ(decoder.bufferCapacity(), std::string().capacity());
}

TEST(FrameDecoderRules, MessageOfExactlyTheLimitIsAccepted) {
    expectDecodes(clientFrame(Opcode::Binary, std::string(10000, 'm')), {binary(std::string(10000, 'm'))},
                  std::nullopt, 10000);
    expectError(clientFrame(Opcode::Binary, std::string(10001, 'm')), close_code::MessageTooBig, 10000);
    expectDecodes(clientFrame(Opcode::Text, "hello"), {text("hello")}, std::nullopt, 5);
    expectError(clientFrame(Opcode::Text, "hello!"), close_code::MessageTooBig, 5);
}

// The running total of fragments is checked at each fragment's header.
TEST(FrameDecoderRules, FragmentSumOverLimitIsRefusedAtTheOffendingHeader) {
    const std::string first = clientFrame(Opcode::Text, std::string(6000, 'a'), false);
    const std::string second = clientFrame(Opcode::Continuation, std::string(4000, 'b'), false);
    const std::string third = clientFrame(Opcode::Continuation, "c");
    expectError(first + second + third, close_code::MessageTooBig, 10000);
    expectDecodes(first + second + clientFrame(Opcode::Continuation, ""),
                  {text(std::string(6000, 'a') + std::string(4000, 'b'))}, std::nullopt, 10000);

    // Only the header of the offending fragment is needed.
    EXPECT_EQ(codeAfterFeeding(first + second + third.substr(0, 2), 10000), close_code::MessageTooBig);
    // Control frames between fragments do not count towards the message size.
    expectDecodes(first + second + clientFrame(Opcode::Ping, std::string(125, 'p')) +
                      clientFrame(Opcode::Continuation, ""),
                  {ping(std::string(125, 'p')), text(std::string(6000, 'a') + std::string(4000, 'b'))},
                  std::nullopt, 10000);
    // The limit applies per message: the next message starts from zero.
    expectDecodes(clientFrame(Opcode::Binary, std::string(10000, 'x')) +
                      clientFrame(Opcode::Binary, std::string(10000, 'y')),
                  {binary(std::string(10000, 'x')), binary(std::string(10000, 'y'))}, std::nullopt, 10000);
}

TEST(FrameDecoderRules, InvalidUtf8TextIsInvalidPayload) {
    for (const char* bad : {"\xC0\xAF", "\xED\xA0\x80", "\xF4\x90\x80\x80", "\xFF", "ok\x80"}) {
        SCOPED_TRACE(bad);
        expectError(clientFrame(Opcode::Text, bad), close_code::InvalidPayload);
    }
    // Binary messages are not checked.
    expectDecodes(clientFrame(Opcode::Binary, "\xC0\xAF\xFF"), {binary("\xC0\xAF\xFF")});
}

TEST(FrameDecoderRules, TruncatedUtf8AtMessageEndIsInvalidPayload) {
    expectError(clientFrame(Opcode::Text, "euro \xE2\x82"), close_code::InvalidPayload);
    expectError(clientFrame(Opcode::Text, "\xF0\x9F", false) + clientFrame(Opcode::Continuation, "\x98"),
                close_code::InvalidPayload);
}

TEST(FrameDecoderRules, Utf8SplitAcrossFragmentsIsValidated) {
    // U+20AC (3 bytes) and U+1F600 (4 bytes) cut inside the sequences.
    expectDecodes(clientFrame(Opcode::Text, "\xE2", false) + clientFrame(Opcode::Continuation, "\x82\xAC"),
                  {text("\xE2\x82\xAC")});
    expectDecodes(clientFrame(Opcode::Text, "a\xF0", false) +
                      clientFrame(Opcode::Continuation, "\x9F", false) + clientFrame(Opcode::Ping, "\xFF") +
                      clientFrame(Opcode::Continuation, "\x98\x80z"),
                  {ping("\xFF"), text("a\xF0\x9F\x98\x80z")});
    // Surrogate U+D800 split across fragments.
    expectError(clientFrame(Opcode::Text, "\xED", false) + clientFrame(Opcode::Continuation, "\xA0\x80"),
                close_code::InvalidPayload);
    // Overlong split across fragments.
    expectError(clientFrame(Opcode::Text, "\xE0", false) + clientFrame(Opcode::Continuation, "\x80\x80"),
                close_code::InvalidPayload);
}

// Invalid UTF-8 is reported as soon as the offending byte arrives, not at the end of the message.
TEST(FrameDecoderRules, InvalidUtf8FailsAsEarlyAsPossible) {
    // In the first fragment, before any continuation is sent.
    EXPECT_EQ(codeAfterFeeding(clientFrame(Opcode::Text, "ab\xFF", false)), close_code::InvalidPayload);
    // In the middle of a frame whose remainder has not arrived.
    const std::string frame = clientFrame(Opcode::Text, "x\xC0" + std::string(500, 'y'));
    EXPECT_EQ(codeAfterFeeding(frame.substr(0, 8 + 2)), close_code::InvalidPayload);
}

TEST(FrameDecoderRules, CloseWithoutPayloadReportsNoStatus) {
    expectDecodes(closeFrame(""), {closeEvent(close_code::NoStatus, "")});
}

TEST(FrameDecoderRules, CloseWithOneBytePayloadIsProtocolError) {
    expectError(closeFrame("\x03"), kProtocol);
}

TEST(FrameDecoderRules, ValidCloseCodesAreDelivered) {
    for (uint16_t code : {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 3999,
                          4000, 4100, 4999}) {
        SCOPED_TRACE(code);
        expectDecodes(closeFrame(closePayload(code, "why")), {closeEvent(code, "why")});
    }
    expectDecodes(closeFrame(closePayload(1000, "\xC3\xA9t\xC3\xA9")),
                  {closeEvent(1000, "\xC3\xA9t\xC3\xA9")});
}

TEST(FrameDecoderRules, InvalidCloseCodesAreProtocolError) {
    for (uint16_t code : {0, 1, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535}) {
        SCOPED_TRACE(code);
        expectError(closeFrame(closePayload(code)), kProtocol);
    }
}

TEST(FrameDecoderRules, CloseReasonMustBeUtf8) {
    expectError(closeFrame(closePayload(1000, "bad \xFF")), close_code::InvalidPayload);
    expectError(closeFrame(closePayload(1000, "cut \xE2\x82")), close_code::InvalidPayload);
}

TEST(FrameDecoderRules, PingAndPongPayloadsAreNotUtf8Checked) {
    expectDecodes(clientFrame(Opcode::Ping, "\xFF\xFE") + clientFrame(Opcode::Pong, "\xC0"),
                  {ping("\xFF\xFE"), pong("\xC0")});
}

TEST(FrameDecoderRules, EventsBeforeAViolationAreDelivered) {
    expectDecodes(clientFrame(Opcode::Text, "fine") + clientFrame(Opcode::Text, "x", true, 4), {text("fine")},
                  kProtocol);
}

TEST(FrameDecoderRules, FeedingAfterAnErrorKeepsFailing) {
    FrameDecoder decoder(1000);
    RecordingHandler handler;
    ASSERT_TRUE(feedWhole(decoder, encodeFrame(Opcode::Text, "unmasked"), handler));
    const auto again = feedWhole(decoder, clientFrame(Opcode::Text, "valid"), handler);
    ASSERT_TRUE(again);
    EXPECT_EQ(again->closeCode, kProtocol);
    EXPECT_TRUE(handler.events.empty());
}
