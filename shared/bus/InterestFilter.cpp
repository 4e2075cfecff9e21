#include "bus/InterestFilter.h"

namespace resound::bus {

namespace {

std::uint64_t fnv1a(std::uint64_t hash, std::string_view bytes) {
    for (unsigned char c : bytes) {
        hash ^= c;
        hash *= 0x100000001b3ULL;
    }
    return hash;
}

std::size_t roundUpToPowerOfTwo(std::size_t n) {
    std::size_t p = 1;
    while (p < n) p <<= 1;
    return p;
}

}  // namespace

InterestFilter::InterestFilter(std::size_t slots)
    : mask_(roundUpToPowerOfTwo(slots == 0 ? 1 : slots) - 1),
      counts_(std::make_unique<std::atomic<std::uint32_t>[]>(mask_ + 1)) {}

std::size_t InterestFilter::slotOf(std::string_view appId, std::string_view channel) const {
    // The separator keeps ("ab", "c") and ("a", "bc") apart.
    std::uint64_t hash = fnv1a(0xcbf29ce484222325ULL, appId);
    hash = fnv1a(hash ^ 0xff, channel);
    hash ^= hash >> 29;  // FNV's low bits mix poorly; fold the high ones in before masking
    return static_cast<std::size_t>(hash) & mask_;
}

void InterestFilter::add(std::string_view appId, std::string_view channel) {
    counts_[slotOf(appId, channel)].fetch_add(1, std::memory_order_seq_cst);
}

bool InterestFilter::remove(std::string_view appId, std::string_view channel) {
    auto& count = counts_[slotOf(appId, channel)];
    std::uint32_t current = count.load(std::memory_order_seq_cst);
    while (current != 0) {
        if (count.compare_exchange_weak(current, current - 1, std::memory_order_seq_cst)) return true;
    }
    return false;
}

bool InterestFilter::mayHave(std::string_view appId, std::string_view channel) const {
    return counts_[slotOf(appId, channel)].load(std::memory_order_seq_cst) != 0;
}

}  // namespace resound::bus
