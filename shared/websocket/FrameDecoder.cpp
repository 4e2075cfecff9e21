#include "websocket/FrameDecoder.h"

#include <algorithm>
#include <cstring>

#include "util/ArrivalBuffer.h"

namespace resound::ws {
namespace {

bool isKnownOpcode(uint8_t op) { return op <= 0x2 || (op >= 0x8 && op <= 0xA); }

// RFC 6455 7.4: codes an endpoint may put in a Close frame it sends.
bool isValidReceivedCloseCode(uint16_t code) {
    if (code >= 3000 && code <= 4999) return true;        // registered libraries/frameworks, private use
    if (code < 1000 || code > 1014) return false;         // 1015..2999 reserved, >= 5000 undefined
    return code != 1004 && code != 1005 && code != 1006;  // reserved, or meaningful only locally
}

// XORs `n` bytes with the 4-byte mask, starting `phase` bytes into it; eight bytes per step.
void unmask(char* data, std::size_t n, const uint8_t* mask, uint8_t phase) {
    uint8_t rotated[8];
    for (int k = 0; k < 8; ++k) rotated[k] = mask[(phase + k) & 3];
    uint64_t mask64;
    std::memcpy(&mask64, rotated, 8);
    std::size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t word;
        std::memcpy(&word, data + i, 8);
        word ^= mask64;
        std::memcpy(data + i, &word, 8);
    }
    for (; i < n; ++i) data[i] = static_cast<char>(static_cast<uint8_t>(data[i]) ^ rotated[i & 7]);
}

}  // namespace

std::size_t FrameDecoder::headerSize() const {
    const uint8_t len7 = header_[1] & 0x7F;
    return 2 + (len7 == 126 ? 2 : (len7 == 127 ? 8 : 0)) + 4;
}

std::optional<DecodeError> FrameDecoder::fail(uint16_t code, const char* reason) {
    phase_ = Phase::Failed;
    std::string().swap(buffer_);
    return DecodeError{code, reason};
}

std::optional<DecodeError> FrameDecoder::checkFirstTwoBytes() {
    const uint8_t b0 = header_[0];
    const uint8_t b1 = header_[1];
    if (b0 & 0x70) return fail(close_code::ProtocolError, "reserved bits set");
    const uint8_t op = b0 & 0x0F;
    if (!isKnownOpcode(op)) return fail(close_code::ProtocolError, "unknown opcode");
    if (!(b1 & 0x80)) return fail(close_code::ProtocolError, "client frame not masked");
    frameOp_ = static_cast<Opcode>(op);
    frameFin_ = (b0 & 0x80) != 0;
    if (isControl()) {
        if (!frameFin_) return fail(close_code::ProtocolError, "fragmented control frame");
        if ((b1 & 0x7F) > kMaxControlPayload)
            return fail(close_code::ProtocolError, "control frame too long");
    } else if (frameOp_ == Opcode::Continuation) {
        if (messageOp_ == Opcode::Continuation) {
            return fail(close_code::ProtocolError, "continuation without a message");
        }
    } else if (messageOp_ != Opcode::Continuation) {
        return fail(close_code::ProtocolError, "new message inside a fragmented message");
    }
    return std::nullopt;
}

std::optional<DecodeError> FrameDecoder::checkLength() {
    const uint8_t len7 = header_[1] & 0x7F;
    uint64_t length = len7;
    if (len7 == 126) {
        length = (uint64_t{header_[2]} << 8) | header_[3];
        if (length < 126) return fail(close_code::ProtocolError, "non-minimal length");
    } else if (len7 == 127) {
        length = 0;
        for (int i = 2; i < 10; ++i) length = (length << 8) | header_[i];
        if (length >> 63) return fail(close_code::ProtocolError, "length has the top bit set");
        if (length <= 0xFFFF) return fail(close_code::ProtocolError, "non-minimal length");
    }
    // Checked against the declared length so an oversized message is refused before any of it arrives.
    if (!isControl() && length > maxMessageSize_ - messageSize_) {
        return fail(close_code::MessageTooBig, "message too big");
    }
    remaining_ = length;
    return std::nullopt;
}

std::optional<DecodeError> FrameDecoder::feed(char* data, std::size_t length, FrameHandler& handler) {
    if (phase_ == Phase::Failed) return DecodeError{close_code::ProtocolError, "decoder fed after an error"};
    char* p = data;
    char* const end = data + length;
    // Copies header bytes until header_ holds `target` of them; false if the input ran out first.
    auto takeHeaderUpTo = [&](std::size_t target) {
        const std::size_t take = std::min<std::size_t>(target - headerLen_, end - p);
        std::memcpy(header_ + headerLen_, p, take);
        headerLen_ = static_cast<uint8_t>(headerLen_ + take);
        p += take;
        return headerLen_ == target;
    };
    DecodeError error{};
    while (p < end) {
        std::size_t n = 0;
        if (phase_ == Phase::Closed) {
            return std::nullopt;
        } else if (phase_ == Phase::Header) {
            if (headerLen_ < 2) {
                if (!takeHeaderUpTo(2)) return std::nullopt;
                if (auto err = checkFirstTwoBytes()) return err;
                if (headerSize() == 6) {
                    if (auto err = checkLength()) return err;
                }
            }
            const std::size_t lengthEnd = headerSize() - 4;
            if (headerLen_ < lengthEnd) {
                if (!takeHeaderUpTo(lengthEnd)) return std::nullopt;
                if (auto err = checkLength()) return err;
            }
            if (!takeHeaderUpTo(lengthEnd + 4)) return std::nullopt;
            phase_ = Phase::Payload;
            maskPhase_ = 0;
            if (!isControl() && frameOp_ != Opcode::Continuation) messageOp_ = frameOp_;
            if (remaining_ != 0) continue;
            // An empty payload completes the frame right here.
        } else {
            n = static_cast<std::size_t>(std::min<uint64_t>(remaining_, end - p));
        }
        const Step step = consumePayload(p, n, handler, error);
        if (step == Step::Stop) return std::nullopt;  // the handler may have destroyed *this
        if (step == Step::Error) return error;
        p += n;
    }
    return std::nullopt;
}

FrameDecoder::Step FrameDecoder::consumePayload(char* data, std::size_t n, FrameHandler& handler,
                                                DecodeError& error) {
    unmask(data, n, header_ + headerLen_ - 4, maskPhase_);
    maskPhase_ = static_cast<uint8_t>((maskPhase_ + n) & 3);
    remaining_ -= n;
    if (!isControl() && messageOp_ == Opcode::Text && !utf8_.feed({data, n})) {
        error = *fail(close_code::InvalidPayload, "invalid UTF-8 in text message");
        return Step::Error;
    }
    // buffer_ holds exactly the earlier fragments when nothing of this frame has been buffered yet.
    const bool nothingBuffered = buffer_.size() == messageSize_;
    const bool wholeMessageFrame = isControl() || (frameFin_ && frameOp_ != Opcode::Continuation);
    if (remaining_ == 0 && nothingBuffered && wholeMessageFrame) {
        return finishFrame({data, n}, handler, error);  // the common case: deliver in place, no copy
    }
    // Memory follows the bytes that arrived, not the declared length (which only passed the limit).
    // When this frame ends the message (or is a lone control frame) its end is the ceiling; otherwise
    // more fragments may follow, up to the limit, and the buffer keeps doubling towards it so that
    // many tiny fragments stay linear.
    const std::size_t needed = buffer_.size() + n;
    const bool moreMayFollow = isControl() ? messageSize_ != 0 : !frameFin_;
    util::reserveForArrival(buffer_, needed, moreMayFollow ? maxMessageSize_ : needed + remaining_);
    buffer_.append(data, n);
    if (remaining_ != 0) return Step::Continue;
    // A data frame completes the whole buffered message; a control frame sits behind its fragments.
    const std::string_view buffered(buffer_);
    return finishFrame(isControl() ? buffered.substr(messageSize_) : buffered, handler, error);
}

FrameDecoder::Step FrameDecoder::finishFrame(std::string_view payload, FrameHandler& handler,
                                             DecodeError& error) {
    phase_ = Phase::Header;
    headerLen_ = 0;
    if (isControl()) return finishControl(payload, handler, error);
    if (!frameFin_) {
        messageSize_ = buffer_.size();
        return Step::Continue;
    }
    const Opcode op = messageOp_;
    if (op == Opcode::Text && !utf8_.complete()) {
        error = *fail(close_code::InvalidPayload, "truncated UTF-8 in text message");
        return Step::Error;
    }
    messageOp_ = Opcode::Continuation;
    messageSize_ = 0;
    utf8_.reset();
    // A fragmented message is delivered from buffer_, so the buffer is released only afterwards.
    if (!handler.onMessage(op, payload)) return Step::Stop;
    releaseBuffer();
    return Step::Continue;
}

FrameDecoder::Step FrameDecoder::finishControl(std::string_view payload, FrameHandler& handler,
                                               DecodeError& error) {
    bool keepGoing = true;
    switch (frameOp_) {
        case Opcode::Ping:
            keepGoing = handler.onPing(payload);
            break;
        case Opcode::Pong:
            keepGoing = handler.onPong(payload);
            break;
        default: {  // Close
            uint16_t code = close_code::NoStatus;
            std::string_view reason;
            if (payload.size() == 1) {
                error = *fail(close_code::ProtocolError, "close payload of one byte");
                return Step::Error;
            }
            if (payload.size() >= 2) {
                code = static_cast<uint16_t>((static_cast<uint8_t>(payload[0]) << 8) |
                                             static_cast<uint8_t>(payload[1]));
                reason = payload.substr(2);
                if (!isValidReceivedCloseCode(code)) {
                    error = *fail(close_code::ProtocolError, "invalid close code");
                    return Step::Error;
                }
                if (!Utf8Validator::isValid(reason)) {
                    error = *fail(close_code::InvalidPayload, "invalid UTF-8 in close reason");
                    return Step::Error;
                }
            }
            phase_ = Phase::Closed;
            if (!handler.onClose(code, reason)) return Step::Stop;
            std::string().swap(buffer_);  // nothing more will be decoded
            return Step::Continue;
        }
    }
    if (!keepGoing) return Step::Stop;
    // Drop the control payload buffered behind the message's earlier fragments, if any.
    buffer_.resize(messageSize_);
    if (messageSize_ == 0) releaseBuffer();
    return Step::Continue;
}

void FrameDecoder::releaseBuffer() {
    // Idle connections hold no heap: the buffer only serves split frames and fragmented messages.
    std::string().swap(buffer_);
}

}  // namespace resound::ws
