#pragma once
// Helpers shared by the fuzz targets: reading control bytes off the front of the input, a small
// deterministic generator for chunk sizes, and a failure that libFuzzer reports as a crash.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace resound::fuzz {

// Consumes the input from the front: control bytes first, then the rest as data.
class FuzzInput {
  public:
    FuzzInput(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}

    std::uint8_t byte() {
        if (pos_ >= size_) return 0;
        return data_[pos_++];
    }
    std::uint16_t u16() {
        const std::uint16_t low = byte();
        return static_cast<std::uint16_t>(low | (byte() << 8));
    }
    // Up to `max` bytes up to (not including) the next `separator`, which is consumed.
    std::string_view until(char separator, std::size_t max) {
        const std::size_t start = pos_;
        while (pos_ < size_ && pos_ - start < max && data_[pos_] != static_cast<std::uint8_t>(separator))
            ++pos_;
        std::string_view piece(reinterpret_cast<const char*>(data_ + start), pos_ - start);
        if (pos_ < size_ && data_[pos_] == static_cast<std::uint8_t>(separator)) ++pos_;
        return piece;
    }
    std::string_view rest() {
        std::string_view piece(reinterpret_cast<const char*>(data_ + pos_), size_ - pos_);
        pos_ = size_;
        return piece;
    }

  private:
    const std::uint8_t* data_;
    std::size_t size_;
    std::size_t pos_ = 0;
};

// xorshift32: chunk sizes that depend only on the seed, so a crash replays exactly.
class ChunkSizes {
  public:
    explicit ChunkSizes(std::uint32_t seed) : state_(seed * 2654435761u + 1) {}
    // A size in 1..max, biased towards small pieces (split headers, split UTF-8 sequences).
    std::size_t next(std::size_t max) {
        state_ ^= state_ << 13;
        state_ ^= state_ >> 17;
        state_ ^= state_ << 5;
        const std::size_t limit = (state_ & 3) == 0 ? max : 16;
        return 1 + static_cast<std::size_t>(state_ >> 8) % (limit < 1 ? 1 : limit);
    }

  private:
    std::uint32_t state_;
};

// A broken invariant: print it and abort, which libFuzzer records as a crash with the input.
[[noreturn]] inline void invariantFailed(const char* what, const char* file, int line) {
    std::fprintf(stderr, "fuzz invariant failed: %s (%s:%d)\n", what, file, line);
    std::abort();
}

}  // namespace resound::fuzz

#define FUZZ_CHECK(condition) \
    ((condition) ? (void)0 : ::resound::fuzz::invariantFailed(#condition, __FILE__, __LINE__))
