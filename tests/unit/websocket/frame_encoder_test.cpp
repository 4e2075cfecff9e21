#include "websocket/FrameEncoder.h"

#include <gtest/gtest.h>

#include <string>

using namespace resound::ws;

namespace {
std::string bytes(std::initializer_list<int> list) {
    std::string s;
    for (int b : list) s.push_back(static_cast<char>(b));
    return s;
}
}  // namespace

// RFC 6455 5.7: a single-frame unmasked text message "Hello".
TEST(FrameEncoder, UnmaskedHelloMatchesRfc) {
    EXPECT_EQ(encodeFrame(Opcode::Text, "Hello"), bytes({0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f}));
}

// RFC 6455 5.7: a single-frame masked text message "Hello" with mask 37 fa 21 3d.
TEST(FrameEncoder, MaskedHelloMatchesRfc) {
    EXPECT_EQ(encodeMaskedFrame(Opcode::Text, "Hello", 0x37fa213d),
              bytes({0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58}));
}

// RFC 6455 5.7: fragmented unmasked text message "Hel" + "lo".
TEST(FrameEncoder, FragmentedHelloMatchesRfc) {
    EXPECT_EQ(encodeFrame(Opcode::Text, "Hel", false), bytes({0x01, 0x03, 0x48, 0x65, 0x6c}));
    EXPECT_EQ(encodeFrame(Opcode::Continuation, "lo"), bytes({0x80, 0x02, 0x6c, 0x6f}));
}

// RFC 6455 5.7: unmasked ping with body "Hello".
TEST(FrameEncoder, PingHelloMatchesRfc) {
    EXPECT_EQ(encodeFrame(Opcode::Ping, "Hello"), bytes({0x89, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f}));
}

// RFC 6455 5.7: 256 bytes binary in a single unmasked frame uses the 16-bit length.
TEST(FrameEncoder, Binary256UsesSixteenBitLength) {
    const std::string payload(256, 'x');
    const std::string frame = encodeFrame(Opcode::Binary, payload);
    ASSERT_EQ(frame.size(), 4u + 256u);
    EXPECT_EQ(frame.substr(0, 4), bytes({0x82, 0x7E, 0x01, 0x00}));
    EXPECT_EQ(frame.substr(4), payload);
}

// RFC 6455 5.7: 64 KiB binary in a single unmasked frame uses the 64-bit length.
TEST(FrameEncoder, Binary64KiBUsesSixtyFourBitLength) {
    const std::string payload(65536, 'y');
    const std::string frame = encodeFrame(Opcode::Binary, payload);
    ASSERT_EQ(frame.size(), 10u + 65536u);
    EXPECT_EQ(frame.substr(0, 10), bytes({0x82, 0x7F, 0, 0, 0, 0, 0, 0x01, 0x00, 0x00}));
    EXPECT_EQ(frame.substr(10), payload);
}

TEST(FrameEncoder, LengthBoundaries) {
    EXPECT_EQ(encodeFrame(Opcode::Binary, std::string(125, 'a')).size(), 2u + 125u);
    EXPECT_EQ(static_cast<uint8_t>(encodeFrame(Opcode::Binary, std::string(125, 'a'))[1]), 125);
    const std::string f126 = encodeFrame(Opcode::Binary, std::string(126, 'a'));
    EXPECT_EQ(f126.substr(0, 4), bytes({0x82, 126, 0x00, 126}));
    const std::string f65535 = encodeFrame(Opcode::Binary, std::string(65535, 'a'));
    EXPECT_EQ(f65535.substr(0, 4), bytes({0x82, 126, 0xFF, 0xFF}));
    EXPECT_EQ(encodeFrame(Opcode::Text, "").size(), 2u);
}

TEST(FrameEncoder, AppendFrameHeaderWritesOnlyTheHeader) {
    std::string out = "prefix";
    appendFrameHeader(out, Opcode::Text, 300);
    EXPECT_EQ(out, "prefix" + bytes({0x81, 126, 0x01, 0x2C}));
    std::string noFin;
    appendFrameHeader(noFin, Opcode::Binary, 3, false);
    EXPECT_EQ(noFin, bytes({0x02, 0x03}));
}

TEST(FrameEncoder, CloseFrameCarriesCodeAndReason) {
    EXPECT_EQ(encodeCloseFrame(close_code::Normal, "bye"), bytes({0x88, 0x05, 0x03, 0xE8, 'b', 'y', 'e'}));
    EXPECT_EQ(encodeCloseFrame(4001, ""), bytes({0x88, 0x02, 0x0F, 0xA1}));
}

TEST(FrameEncoder, CloseReasonIsTruncatedTo125BytePayload) {
    const std::string frame = encodeCloseFrame(close_code::PolicyViolation, std::string(300, 'r'));
    ASSERT_EQ(frame.size(), 2u + 125u);
    EXPECT_EQ(static_cast<uint8_t>(frame[1]), 125);
    EXPECT_EQ(frame.substr(4), std::string(123, 'r'));
}

TEST(FrameEncoder, CloseReasonTruncationKeepsUtf8Whole) {
    // 122 ASCII bytes then a 3-byte euro sign: byte 123 would split it, so the whole sign is dropped.
    const std::string reason = std::string(122, 'a') + "\xE2\x82\xAC" + "tail";
    const std::string frame = encodeCloseFrame(close_code::Normal, reason);
    EXPECT_EQ(frame.substr(4), std::string(122, 'a'));
    EXPECT_EQ(static_cast<uint8_t>(frame[1]), 124);
    // 120 ASCII + euro sign fits exactly (123 bytes).
    const std::string fits = std::string(120, 'a') + "\xE2\x82\xAC" + "x";
    EXPECT_EQ(encodeCloseFrame(close_code::Normal, fits).substr(4), std::string(120, 'a') + "\xE2\x82\xAC");
}

TEST(FrameEncoder, MaskedFrameCarriesRsvBitsAndNoFin) {
    const std::string frame = encodeMaskedFrame(Opcode::Binary, "", 0, false, 0x4);
    EXPECT_EQ(frame, bytes({0x42, 0x80, 0, 0, 0, 0}));
}

TEST(FrameEncoder, MaskedLargeFrameUnmasksBack) {
    std::string payload(70000, '\0');
    for (std::size_t i = 0; i < payload.size(); ++i) payload[i] = static_cast<char>(i * 7);
    const std::string frame = encodeMaskedFrame(Opcode::Binary, payload, 0xA1B2C3D4);
    ASSERT_EQ(frame.size(), 14u + payload.size());
    EXPECT_EQ(static_cast<uint8_t>(frame[1]), 0xFF);
    const uint8_t mask[4] = {0xA1, 0xB2, 0xC3, 0xD4};
    EXPECT_EQ(std::string(frame, 10, 4), std::string(reinterpret_cast<const char*>(mask), 4));
    for (std::size_t i = 0; i < payload.size(); ++i) {
        ASSERT_EQ(static_cast<char>(static_cast<uint8_t>(frame[14 + i]) ^ mask[i & 3]), payload[i]) << i;
    }
}
