#include "webhooks/EventIds.h"

#include <chrono>
#include <cstdio>

#include "crypto/Random.h"

namespace resound::webhooks {

EventIds::EventIds(std::string prefix) : prefix_(std::move(prefix)) {
    if (!prefix_.empty()) return;
    char text[17];
    std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(crypto::randomUint64()));
    prefix_ = text;
}

std::string EventIds::next() {
    return prefix_ + "-" + std::to_string(counter_.fetch_add(1, std::memory_order_relaxed) + 1);
}

std::int64_t wallClockMs() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

}  // namespace resound::webhooks
