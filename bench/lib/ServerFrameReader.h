#pragma once
// Decodes the WebSocket frames a server sends to a client (unmasked, RFC 6455 5.2), one at a time
// from a byte buffer. Pure and socket-free so tests can feed it byte by byte; any thread.
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace resound::bench {

enum class FrameOp : std::uint8_t {
    Continuation = 0x0,
    Text = 0x1,
    Binary = 0x2,
    Close = 0x8,
    Ping = 0x9,
    Pong = 0xA
};

struct ServerFrame {
    FrameOp op = FrameOp::Text;
    bool fin = true;
    std::string_view payload;  // points into the buffer given to readServerFrame
};

enum class FrameStatus { Complete, NeedMore, Invalid };

struct FrameResult {
    FrameStatus status = FrameStatus::NeedMore;
    std::size_t consumed = 0;  // bytes of header + payload when Complete
    const char* problem = "";  // set when Invalid
};

// Reads the frame at the start of `bytes`. Invalid: masked frame, reserved bits, unknown opcode,
// fragmented or oversized control frame, or a payload larger than `maxPayload`.
FrameResult readServerFrame(std::string_view bytes, ServerFrame& frame, std::size_t maxPayload);

}  // namespace resound::bench
