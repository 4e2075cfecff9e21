#pragma once
// The frame resound-floor sends: a WebSocket text frame as a server writes it (FIN, unmasked) with a
// fixed payload size, carrying the send time and the event index as fixed-width hex at fixed offsets,
// so one buffer is restamped per event and shared by all its deliveries (as Resound encodes a broadcast
// once). Payload: {"t":"<16 hex>","k":"<16 hex>","p":"xxx..."} padded to the requested size.
// StampedFrame: one thread. FrameLayout: read-only after construction, any thread.
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

namespace resound::bench {

struct FrameStamp {
    std::int64_t sentNs = 0;  // CLOCK_MONOTONIC when the event's fan-out began
    std::uint64_t event = 0;  // event index k
};

// Sizes and offsets shared by the writer and the reader.
class FrameLayout {
  public:
    static constexpr std::size_t kMinPayload = 54;  // the stamp text with an empty pad
    static constexpr std::size_t kMaxPayload = 65535;
    // Header bytes plus the stamp's text: what a reader must keep of a frame split between reads.
    static constexpr std::size_t kMaxStampEnd = 4 + 45;

    // Throws std::invalid_argument outside [kMinPayload, kMaxPayload].
    explicit FrameLayout(std::size_t payloadBytes);

    std::size_t payloadBytes() const { return payloadBytes_; }
    std::size_t headerBytes() const { return headerBytes_; }
    std::size_t frameBytes() const { return headerBytes_ + payloadBytes_; }
    std::size_t stampEnd() const { return headerBytes_ + 45; }

    // The complete frame with a zero stamp.
    std::string blankFrame() const;
    // Writes the stamp into a frame buffer laid out by blankFrame().
    void writeStamp(char* frame, const FrameStamp& stamp) const;
    // Reads the stamp from the first stampEnd() bytes of a frame; false if they are not this layout's
    // header and stamp text (the stream lost its framing).
    bool readStamp(const char* frameStart, FrameStamp& stamp) const;
    // The frame's last byte, checked when a frame completes.
    static constexpr char kLastByte = '}';

  private:
    std::size_t payloadBytes_;
    std::size_t headerBytes_;
    std::string prefix_;  // blankFrame()'s first stampEnd() bytes
};

// The reusable send buffer of one run.
class StampedFrame {
  public:
    explicit StampedFrame(const FrameLayout& layout) : layout_(layout), bytes_(layout.blankFrame()) {}
    void stamp(const FrameStamp& stamp) { layout_.writeStamp(bytes_.data(), stamp); }
    const char* data() const { return bytes_.data(); }
    std::size_t size() const { return bytes_.size(); }

  private:
    const FrameLayout& layout_;
    std::string bytes_;
};

// Per-connection position in a stream of equal frames. Small, since a receiver holds 19,000 of them:
// only the bytes up to the end of the stamp are kept when a frame is split between reads.
struct FrameCursor {
    std::uint32_t have = 0;  // bytes of the current frame already seen
    bool broken = false;     // the stream lost its framing; nothing more is read from it
    std::array<char, FrameLayout::kMaxStampEnd> head{};
};

// Splits `bytes` (any split points) into frames, calling onFrame(const FrameStamp&) for each complete
// one. Returns false, and marks the cursor broken, when the bytes are not frames of this layout.
template <typename OnFrame>
bool feedFrames(const FrameLayout& layout, FrameCursor& cursor, const char* bytes, std::size_t size,
                OnFrame&& onFrame) {
    if (cursor.broken) return false;
    const std::size_t frame = layout.frameBytes();
    const std::size_t stampEnd = layout.stampEnd();
    FrameStamp stamp;
    std::size_t pos = 0;
    while (pos < size) {
        if (cursor.have == 0 && size - pos >= frame) {  // a whole frame in place: the common case
            if (!layout.readStamp(bytes + pos, stamp) || bytes[pos + frame - 1] != FrameLayout::kLastByte) {
                cursor.broken = true;
                return false;
            }
            onFrame(stamp);
            pos += frame;
            continue;
        }
        const std::size_t take = std::min(frame - cursor.have, size - pos);
        if (cursor.have < stampEnd) {
            const std::size_t keep = std::min(take, stampEnd - cursor.have);
            std::memcpy(cursor.head.data() + cursor.have, bytes + pos, keep);
        }
        pos += take;
        cursor.have += static_cast<std::uint32_t>(take);
        if (cursor.have < frame) break;
        cursor.have = 0;
        if (!layout.readStamp(cursor.head.data(), stamp) || bytes[pos - 1] != FrameLayout::kLastByte) {
            cursor.broken = true;
            return false;
        }
        onFrame(stamp);
    }
    return true;
}

}  // namespace resound::bench
