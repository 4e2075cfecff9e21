#include "edge/AddressLimiter.h"

#include <cstring>

namespace resound::edge {

std::size_t AddressKeyHash::operator()(const AddressKey& key) const noexcept {
    std::uint64_t a, b;
    std::memcpy(&a, key.data(), 8);
    std::memcpy(&b, key.data() + 8, 8);
    return static_cast<std::size_t>(a * 0x9E3779B97F4A7C15ull ^ b);
}

bool AddressLimiter::tryAcquire(const AddressKey& address) {
    if (limit_ == 0) return true;
    std::lock_guard lock(mutex_);
    auto& count = counts_[address];
    if (count >= limit_) return false;
    ++count;
    return true;
}

void AddressLimiter::release(const AddressKey& address) {
    if (limit_ == 0) return;
    std::lock_guard lock(mutex_);
    auto it = counts_.find(address);
    if (it == counts_.end()) return;
    if (--it->second == 0) counts_.erase(it);
}

}  // namespace resound::edge
