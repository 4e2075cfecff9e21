#include "LatencyHistogram.h"

#include <algorithm>
#include <cmath>

namespace resound::bench {

// Values below 2*kSub map to themselves. Above, the top kSubBits+1 bits select the bucket: for a value
// whose highest set bit is b, shift = b - kSubBits and (v >> shift) lies in [kSub, 2*kSub).
int LatencyHistogram::bucketOf(std::uint64_t v) {
    if (v < static_cast<std::uint64_t>(2 * kSub)) return static_cast<int>(v);
    const int highBit = 63 - __builtin_clzll(v);
    const int shift = highBit - kSubBits;
    return shift * kSub + static_cast<int>(v >> shift);
}

std::uint64_t LatencyHistogram::lowestIn(int bucket) {
    if (bucket < 2 * kSub) return static_cast<std::uint64_t>(bucket);
    const int shift = bucket / kSub - 1;
    const std::uint64_t sub = static_cast<std::uint64_t>(bucket - shift * kSub);
    return sub << shift;
}

std::uint64_t LatencyHistogram::highestIn(int bucket) {
    if (bucket < 2 * kSub) return static_cast<std::uint64_t>(bucket);
    const int shift = bucket / kSub - 1;
    return lowestIn(bucket) + ((std::uint64_t{1} << shift) - 1);
}

void LatencyHistogram::record(std::int64_t nanos) {
    if (nanos < 0) nanos = 0;
    ++counts_[static_cast<std::size_t>(bucketOf(static_cast<std::uint64_t>(nanos)))];
    if (count_ == 0 || nanos < min_) min_ = nanos;
    if (count_ == 0 || nanos > max_) max_ = nanos;
    ++count_;
    sum_ += static_cast<unsigned __int128>(nanos);
}

void LatencyHistogram::merge(const LatencyHistogram& other) {
    if (other.count_ == 0) return;
    for (std::size_t i = 0; i < counts_.size(); ++i) counts_[i] += other.counts_[i];
    min_ = count_ ? std::min(min_, other.min_) : other.min_;
    max_ = count_ ? std::max(max_, other.max_) : other.max_;
    count_ += other.count_;
    sum_ += other.sum_;
}

std::int64_t LatencyHistogram::percentile(double q) const {
    if (count_ == 0) return 0;
    if (q <= 0.0) return min_;
    if (q >= 1.0) return max_;
    auto rank = static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(count_)));
    if (rank == 0) rank = 1;
    std::uint64_t seen = 0;
    for (int b = 0; b < kBuckets; ++b) {
        seen += counts_[static_cast<std::size_t>(b)];
        if (seen >= rank) {
            const std::uint64_t mid = lowestIn(b) + (highestIn(b) - lowestIn(b)) / 2;
            return std::clamp(static_cast<std::int64_t>(mid), min_, max_);
        }
    }
    return max_;
}

}  // namespace resound::bench
