#include "StampedFrame.h"

#include <stdexcept>

namespace resound::bench {
namespace {

constexpr char kHex[] = "0123456789abcdef";
// Offsets inside the payload: {"t":"<16>","k":"<16>","p":"<pad>"}
constexpr std::size_t kTimeAt = 6;
constexpr std::size_t kEventAt = kTimeAt + 16 + 7;
constexpr std::size_t kStampText = kEventAt + 16;  // 45

void writeHex(char* out, std::uint64_t value) {
    for (int i = 15; i >= 0; --i) {
        out[i] = kHex[value & 0xf];
        value >>= 4;
    }
}

bool readHex(const char* in, std::uint64_t& value) {
    value = 0;
    for (int i = 0; i < 16; ++i) {
        const char c = in[i];
        unsigned digit;
        if (c >= '0' && c <= '9') digit = static_cast<unsigned>(c - '0');
        else if (c >= 'a' && c <= 'f') digit = static_cast<unsigned>(c - 'a' + 10);
        else return false;
        value = (value << 4) | digit;
    }
    return true;
}

}  // namespace

FrameLayout::FrameLayout(std::size_t payloadBytes) : payloadBytes_(payloadBytes) {
    if (payloadBytes < kMinPayload || payloadBytes > kMaxPayload) {
        throw std::invalid_argument("payload size must be " + std::to_string(kMinPayload) + ".." +
                                    std::to_string(kMaxPayload) + " bytes");
    }
    headerBytes_ = payloadBytes <= 125 ? 2 : 4;
    prefix_ = blankFrame().substr(0, stampEnd());
}

std::string FrameLayout::blankFrame() const {
    std::string frame;
    frame.reserve(frameBytes());
    frame.push_back(static_cast<char>(0x81));  // FIN + text, unmasked (server to client)
    if (headerBytes_ == 2) {
        frame.push_back(static_cast<char>(payloadBytes_));
    } else {
        frame.push_back(static_cast<char>(126));
        frame.push_back(static_cast<char>((payloadBytes_ >> 8) & 0xff));
        frame.push_back(static_cast<char>(payloadBytes_ & 0xff));
    }
    frame += R"({"t":")";
    frame.append(16, '0');
    frame += R"(","k":")";
    frame.append(16, '0');
    frame += R"(","p":")";
    frame.append(payloadBytes_ - kMinPayload, 'x');
    frame += R"("})";
    return frame;
}

void FrameLayout::writeStamp(char* frame, const FrameStamp& stamp) const {
    writeHex(frame + headerBytes_ + kTimeAt, static_cast<std::uint64_t>(stamp.sentNs));
    writeHex(frame + headerBytes_ + kEventAt, stamp.event);
}

bool FrameLayout::readStamp(const char* frameStart, FrameStamp& stamp) const {
    // The fixed bytes: header, {"t":", ","k":".
    const std::size_t timeAt = headerBytes_ + kTimeAt;
    const std::size_t eventAt = headerBytes_ + kEventAt;
    if (std::memcmp(frameStart, prefix_.data(), timeAt) != 0 ||
        std::memcmp(frameStart + timeAt + 16, prefix_.data() + timeAt + 16, 7) != 0) {
        return false;
    }
    std::uint64_t sent = 0;
    if (!readHex(frameStart + timeAt, sent) || !readHex(frameStart + eventAt, stamp.event)) return false;
    stamp.sentNs = static_cast<std::int64_t>(sent);
    static_assert(kStampText == 45, "stampEnd() assumes 45 bytes of stamp text");
    return true;
}

}  // namespace resound::bench
