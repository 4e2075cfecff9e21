#include "dashboard/MetricsHistory.h"

#include <algorithm>

namespace resound::dashboard {
namespace {
double perSecond(std::uint64_t earlier, std::uint64_t later, double seconds) {
    return later >= earlier ? static_cast<double>(later - earlier) / seconds : 0.0;
}
}  // namespace

Rates ratesBetween(const Sample& earlier, const Sample& later) {
    Rates rates;
    if (later.timeMs <= earlier.timeMs) return rates;
    const double seconds = static_cast<double>(later.timeMs - earlier.timeMs) / 1000.0;
    const Totals& a = earlier.totals;
    const Totals& b = later.totals;
    rates.messagesIn = perSecond(a.messagesIn, b.messagesIn, seconds);
    rates.messagesOut = perSecond(a.messagesOut, b.messagesOut, seconds);
    rates.apiRequests = perSecond(a.apiRequests, b.apiRequests, seconds);
    rates.apiErrors = perSecond(a.apiErrors, b.apiErrors, seconds);
    rates.webhooksSent = perSecond(a.webhooksSent, b.webhooksSent, seconds);
    rates.webhooksFailed = perSecond(a.webhooksFailed, b.webhooksFailed, seconds);
    return rates;
}

MetricsHistory::MetricsHistory(std::size_t capacity) : ring_(std::max<std::size_t>(capacity, 1)) {}

void MetricsHistory::add(const Sample& sample) {
    std::lock_guard lock(mutex_);
    ring_[next_] = sample;
    next_ = (next_ + 1) % ring_.size();
    count_ = std::min(count_ + 1, ring_.size());
}

std::vector<Sample> MetricsHistory::samples() const {
    std::lock_guard lock(mutex_);
    std::vector<Sample> out;
    out.reserve(count_);
    const std::size_t first = (next_ + ring_.size() - count_) % ring_.size();
    for (std::size_t i = 0; i < count_; ++i) out.push_back(ring_[(first + i) % ring_.size()]);
    return out;
}

std::optional<Sample> MetricsHistory::latest() const {
    std::lock_guard lock(mutex_);
    if (count_ == 0) return std::nullopt;
    return ring_[(next_ + ring_.size() - 1) % ring_.size()];
}

std::optional<Sample> MetricsHistory::before(std::int64_t nowMs, std::int64_t minAgeMs) const {
    std::lock_guard lock(mutex_);
    for (std::size_t i = 1; i <= count_; ++i) {
        const Sample& sample = ring_[(next_ + ring_.size() - i) % ring_.size()];
        if (nowMs - sample.timeMs >= minAgeMs) return sample;
    }
    return std::nullopt;
}

std::size_t MetricsHistory::size() const {
    std::lock_guard lock(mutex_);
    return count_;
}

}  // namespace resound::dashboard
