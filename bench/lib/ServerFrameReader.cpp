#include "ServerFrameReader.h"

namespace resound::bench {

FrameResult readServerFrame(std::string_view bytes, ServerFrame& frame, std::size_t maxPayload) {
    FrameResult result;
    if (bytes.size() < 2) return result;
    const auto b0 = static_cast<std::uint8_t>(bytes[0]);
    const auto b1 = static_cast<std::uint8_t>(bytes[1]);
    const std::uint8_t opcode = b0 & 0x0F;
    result.status = FrameStatus::Invalid;
    if (b0 & 0x70) {
        result.problem = "reserved bits set";
        return result;
    }
    if (b1 & 0x80) {
        result.problem = "server frame is masked";
        return result;
    }
    const bool control = opcode >= 0x8;
    if (!(opcode <= 0x2 || (opcode >= 0x8 && opcode <= 0xA))) {
        result.problem = "unknown opcode";
        return result;
    }
    std::uint64_t length = b1 & 0x7F;
    std::size_t header = 2;
    if (length == 126) {
        header = 4;
    } else if (length == 127) {
        header = 10;
    }
    if (bytes.size() < header) {
        result.status = FrameStatus::NeedMore;
        return result;
    }
    if (header == 4) {
        length = (static_cast<std::uint64_t>(static_cast<std::uint8_t>(bytes[2])) << 8) |
                 static_cast<std::uint8_t>(bytes[3]);
    } else if (header == 10) {
        length = 0;
        for (int i = 2; i < 10; ++i) length = (length << 8) | static_cast<std::uint8_t>(bytes[i]);
    }
    if (control && (length > 125 || !(b0 & 0x80))) {
        result.problem = "bad control frame";
        return result;
    }
    if (length > maxPayload) {
        result.problem = "payload too large";
        return result;
    }
    if (bytes.size() - header < length) {
        result.status = FrameStatus::NeedMore;
        return result;
    }
    frame.op = static_cast<FrameOp>(opcode);
    frame.fin = (b0 & 0x80) != 0;
    frame.payload = bytes.substr(header, static_cast<std::size_t>(length));
    result.status = FrameStatus::Complete;
    result.consumed = header + static_cast<std::size_t>(length);
    return result;
}

}  // namespace resound::bench
