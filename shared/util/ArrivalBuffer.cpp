#include "util/ArrivalBuffer.h"

#include <algorithm>

namespace resound::util {

void reserveForArrival(std::string& buffer, std::size_t needed, std::size_t ceiling) {
    if (needed <= buffer.capacity()) return;
    const std::size_t doubled = std::max(buffer.capacity() * 2, kFirstArrivalReservation);
    const std::size_t target = std::max(needed, std::min(doubled, ceiling));
    // Not buffer.reserve(target): libstdc++ rounds a growing reserve up to twice the old capacity,
    // which would pass the ceiling. A fresh string reserves what it is asked for; the copy is the one
    // a reallocation makes anyway.
    std::string grown;
    grown.reserve(target);
    grown.append(buffer);
    buffer.swap(grown);
}

}  // namespace resound::util
