#pragma once
// The rule by which a connection holds a FrameDecoder between reads: only while its last read ended
// inside a frame or a fragmented message. Any other read is decoded by a fresh decoder on the stack, so
// an idle connection holds no decoder (FrameDecoder::idle() says when a fresh one goes on identically).
// Socket-free; touched only by the thread that owns the connection.
#include <cstddef>
#include <memory>
#include <optional>

#include "websocket/FrameDecoder.h"

namespace resound::ws {

// Decodes one read's bytes with `kept` if the connection holds a decoder, else with a fresh one limited
// to maxMessageSize, and leaves `kept` holding a decoder exactly when the bytes ended mid-message.
// After an error, or a handler that stopped decoding (it closes the connection, and may release `kept`
// while doing so), nothing new is kept: the connection must not be fed again. `kept` itself must
// outlive the call.
std::optional<DecodeError> feedKeepingDecoderOnlyMidMessage(std::unique_ptr<FrameDecoder>& kept,
                                                            std::size_t maxMessageSize, char* data,
                                                            std::size_t length, FrameHandler& handler);

}  // namespace resound::ws
