#pragma once
// The wire form of a bus::BusMessage on Redis pub/sub: versioned and binary-safe. Pure, any thread.
//
//   byte 0   version (1)
//   byte 1   kind (0 ChannelEvent, 1 TerminateUser)
//   byte 2   flags (bit 0: a frame follows)
//   then appId, channel, userId, exceptSocketId, each as LEB128 length + bytes
//   then the frame bytes, to the end (no length: the frame is the bulk of the message and decode()
//   turns the received buffer into the shared frame without copying it again).
#include <string>

#include "bus/BusMessage.h"

namespace resound::redis {

inline constexpr unsigned char kBusCodecVersion = 1;

// Appends the encoded message to `out`.
void encodeBusMessage(const bus::BusMessage& message, std::string& out);

// The Redis pub/sub channel `message` travels on, into `topic`: its app's control topic for a
// TerminateUser, else its channel's topic (KeySchema). Every publisher to Redis uses this.
void assignTopicOf(const bus::BusMessage& message, std::string& topic);

// Decodes a payload; nullptr if it is truncated, of an unknown version or kind. Consumes `payload`:
// its buffer becomes the message's frame.
bus::BusMessagePtr decodeBusMessage(std::string&& payload);

}  // namespace resound::redis
