#pragma once
// Log-linear histogram of non-negative durations in nanoseconds (HdrHistogram's bucket layout, written
// here from scratch): exact below 256 ns, then 128 buckets per power of two, so any percentile is
// within 0.8 % of the true sample. Fixed ~60 KiB, O(1) record. One thread at a time.
#include <array>
#include <cstdint>

namespace resound::bench {

class LatencyHistogram {
  public:
    void record(std::int64_t nanos);
    void merge(const LatencyHistogram& other);

    std::uint64_t count() const { return count_; }
    std::int64_t min() const { return count_ ? min_ : 0; }
    std::int64_t max() const { return count_ ? max_ : 0; }
    double mean() const { return count_ ? static_cast<double>(sum_) / static_cast<double>(count_) : 0.0; }

    // Value at quantile q in [0, 1] (nearest rank): the midpoint of its bucket, clamped to [min, max];
    // q = 0 and q = 1 give the exact min and max.
    std::int64_t percentile(double q) const;

    static constexpr int kSubBits = 7;

  private:
    static constexpr int kSub = 1 << kSubBits;  // buckets per power of two
    static constexpr int kBuckets = (64 - kSubBits) * kSub + 2 * kSub;

    static int bucketOf(std::uint64_t v);
    static std::uint64_t lowestIn(int bucket);
    static std::uint64_t highestIn(int bucket);

    std::array<std::uint64_t, kBuckets> counts_{};
    std::uint64_t count_ = 0;
    std::int64_t min_ = 0;
    std::int64_t max_ = 0;
    unsigned __int128 sum_ = 0;
};

}  // namespace resound::bench
