#include "redis/BusCodec.h"

#include <cstdint>
#include <string_view>

#include "redis/KeySchema.h"

namespace resound::redis {
namespace {

constexpr unsigned char kHasFrame = 1;

void appendField(std::string& out, std::string_view field) {
    std::uint64_t n = field.size();
    while (n >= 0x80) {
        out += static_cast<char>((n & 0x7f) | 0x80);
        n >>= 7;
    }
    out += static_cast<char>(n);
    out.append(field);
}

// Reads one length-prefixed field at `pos`; false if it runs past the end.
bool readField(std::string_view in, std::size_t& pos, std::string& field) {
    std::uint64_t n = 0;
    for (int shift = 0;; shift += 7) {
        if (pos >= in.size() || shift > 28) return false;  // lengths stay below 2^35
        const auto byte = static_cast<unsigned char>(in[pos++]);
        n |= static_cast<std::uint64_t>(byte & 0x7f) << shift;
        if ((byte & 0x80) == 0) break;
    }
    if (n > in.size() - pos) return false;
    field.assign(in.data() + pos, static_cast<std::size_t>(n));
    pos += static_cast<std::size_t>(n);
    return true;
}

}  // namespace

void encodeBusMessage(const bus::BusMessage& message, std::string& out) {
    out += static_cast<char>(kBusCodecVersion);
    out += static_cast<char>(message.kind == bus::BusMessage::Kind::TerminateUser ? 1 : 0);
    out += static_cast<char>(message.frame ? kHasFrame : 0);
    appendField(out, message.appId);
    appendField(out, message.channel);
    appendField(out, message.userId);
    appendField(out, message.exceptSocketId);
    if (message.frame) out.append(*message.frame);
}

bus::BusMessagePtr decodeBusMessage(std::string&& payload) {
    const std::string_view in(payload);
    if (in.size() < 3 || static_cast<unsigned char>(in[0]) != kBusCodecVersion) return nullptr;
    auto message = std::make_shared<bus::BusMessage>();
    switch (static_cast<unsigned char>(in[1])) {
        case 0:
            message->kind = bus::BusMessage::Kind::ChannelEvent;
            break;
        case 1:
            message->kind = bus::BusMessage::Kind::TerminateUser;
            break;
        default:
            return nullptr;
    }
    const auto flags = static_cast<unsigned char>(in[2]);
    if (flags & ~kHasFrame) return nullptr;
    std::size_t pos = 3;
    if (!readField(in, pos, message->appId) || !readField(in, pos, message->channel) ||
        !readField(in, pos, message->userId) || !readField(in, pos, message->exceptSocketId))
        return nullptr;
    if (flags & kHasFrame) {
        payload.erase(0, pos);  // a memmove of the frame, no new allocation
        message->frame = std::make_shared<const std::string>(std::move(payload));
    } else if (pos != in.size()) {
        return nullptr;
    }
    return message;
}

void assignTopicOf(const bus::BusMessage& message, std::string& topic) {
    if (message.kind == bus::BusMessage::Kind::TerminateUser) {
        keys::assignControlTopic(topic, message.appId);
    } else {
        keys::assignChannelTopic(topic, message.appId, message.channel);
    }
}

}  // namespace resound::redis
