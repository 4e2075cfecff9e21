#pragma once
// Counts open connections per source address across all I/O threads, to enforce
// server.max_connections_per_ip. Only touched on accept and close, so one mutex is enough. Any thread.
#include <array>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <unordered_map>

namespace resound::edge {

using AddressKey = std::array<std::uint8_t, 16>;  // IPv6, or IPv4-mapped IPv6

struct AddressKeyHash {
    std::size_t operator()(const AddressKey& key) const noexcept;
};

class AddressLimiter {
  public:
    explicit AddressLimiter(std::size_t limitPerAddress) : limit_(limitPerAddress) {}
    bool enabled() const { return limit_ > 0; }
    bool tryAcquire(const AddressKey& address);  // false when the address is at its limit
    void release(const AddressKey& address);

  private:
    std::size_t limit_;
    std::mutex mutex_;
    std::unordered_map<AddressKey, std::size_t, AddressKeyHash> counts_;
};

}  // namespace resound::edge
