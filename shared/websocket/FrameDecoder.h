#pragma once
// Incremental, socket-free decoder of client->server RFC 6455 frames. One per connection, touched only
// by the loop thread that owns the connection.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "websocket/FrameEncoder.h"
#include "websocket/Utf8Validator.h"

namespace resound::ws {

// Receives what the decoder finds. Every callback returns true to keep decoding or false to stop:
// after false, feed() returns std::nullopt at once without touching the decoder again, so the handler
// may close the connection and even destroy the decoder. A stopped decoder must not be fed again.
// Views are valid only during the call (they point into the fed buffer or the decoder's buffer).
class FrameHandler {
  public:
    virtual ~FrameHandler() = default;
    virtual bool onMessage(Opcode op, std::string_view payload) = 0;  // complete Text or Binary message
    virtual bool onPing(std::string_view payload) = 0;
    virtual bool onPong(std::string_view payload) = 0;
    virtual bool onClose(uint16_t code, std::string_view reason) = 0;  // code 1005 when no payload
};

// A protocol violation: close the connection with closeCode. reason is a static string.
struct DecodeError {
    uint16_t closeCode;
    const char* reason;
};

class FrameDecoder {
  public:
    // maxMessageSize bounds one whole message (the sum of its fragments), e.g. the app's limit.
    explicit FrameDecoder(std::size_t maxMessageSize) : maxMessageSize_(maxMessageSize) {}

    // Consumes all `length` bytes, buffering only what an incomplete frame or fragmented message
    // needs; unmasks in place. Returns an error at the first violation; after an error the decoder
    // must not be fed again (if it is, it returns an error again). After a Close frame is delivered
    // the rest of the input, now and later, is ignored (RFC 6455 5.5.1: nothing follows a Close).
    std::optional<DecodeError> feed(char* data, std::size_t length, FrameHandler& handler);

    // True once a Close frame has been delivered.
    bool closeReceived() const { return phase_ == Phase::Closed; }
    // True between messages: no frame begun, no fragments held. A fresh decoder with the same limit
    // would go on exactly as this one, so a caller may drop an idle decoder and make a new one for the
    // next bytes (the edge keeps none for idle connections).
    bool idle() const {
        return phase_ == Phase::Header && headerLen_ == 0 && messageOp_ == Opcode::Continuation;
    }
    // Bytes held for partial frames/messages (0 when idle).
    std::size_t bufferedBytes() const { return buffer_.size(); }
    std::size_t bufferCapacity() const { return buffer_.capacity(); }

  private:
    enum class Phase : uint8_t { Header, Payload, Closed, Failed };
    enum class Step : uint8_t { Continue, Stop, Error };

    std::optional<DecodeError> fail(uint16_t code, const char* reason);
    std::optional<DecodeError> checkFirstTwoBytes();
    std::optional<DecodeError> checkLength();
    Step consumePayload(char* data, std::size_t n, FrameHandler& handler, DecodeError& error);
    Step finishFrame(std::string_view payload, FrameHandler& handler, DecodeError& error);
    Step finishControl(std::string_view payload, FrameHandler& handler, DecodeError& error);
    void releaseBuffer();

    bool isControl() const { return (static_cast<uint8_t>(frameOp_) & 0x8) != 0; }
    std::size_t headerSize() const;

    std::string buffer_;           // partial frame payloads and earlier fragments of the current message
    uint64_t remaining_ = 0;       // payload bytes of the current frame not yet received
    std::size_t maxMessageSize_;   // per-app limit for one message
    std::size_t messageSize_ = 0;  // bytes of the current fragmented message held in buffer_
    uint8_t header_[14] = {};      // the current frame's header: 2 + up to 8 length + 4 mask bytes
    uint8_t headerLen_ = 0;        // header bytes received so far
    uint8_t maskPhase_ = 0;        // payload offset modulo 4, for unmasking across chunks
    Opcode frameOp_ = Opcode::Continuation;
    bool frameFin_ = false;
    // Text/Binary while a message is in progress (including its single frame), else Continuation.
    Opcode messageOp_ = Opcode::Continuation;
    Phase phase_ = Phase::Header;
    Utf8Validator utf8_;  // state of the current Text message, across fragments
};

// 32 (std::string, libstdc++) + 3 * 8 + 14 + 7 single bytes = 77, padded to 80 on x86-64.
static_assert(sizeof(FrameDecoder) <= 96, "FrameDecoder lives in every connection: keep it small");

}  // namespace resound::ws
