#include "webhooks/Batcher.h"

#include <algorithm>

namespace resound::webhooks {

Batcher::Batcher(std::chrono::milliseconds window, std::size_t maxEvents)
    : window_(std::max(window, std::chrono::milliseconds(0))),
      maxEvents_(std::max<std::size_t>(maxEvents, 1)) {}

void Batcher::add(OutgoingEvent event, TimePoint now) { events_.push_back(Waiting{std::move(event), now}); }

bool Batcher::takeReady(TimePoint now, std::vector<OutgoingEvent>& out) {
    out.clear();
    if (events_.empty()) return false;
    const bool windowOver = events_.front().added + window_ <= now;
    if (!windowOver && events_.size() < maxEvents_) return false;
    const std::size_t take = window_.count() == 0 ? 1 : std::min(events_.size(), maxEvents_);
    for (std::size_t i = 0; i < take; ++i) {
        out.push_back(std::move(events_.front().event));
        events_.pop_front();
    }
    return true;
}

void Batcher::takeAll(std::vector<std::vector<OutgoingEvent>>& out) {
    while (!events_.empty()) {
        const std::size_t take = window_.count() == 0 ? 1 : std::min(events_.size(), maxEvents_);
        std::vector<OutgoingEvent> batch;
        for (std::size_t i = 0; i < take; ++i) {
            batch.push_back(std::move(events_.front().event));
            events_.pop_front();
        }
        out.push_back(std::move(batch));
    }
}

std::optional<Batcher::TimePoint> Batcher::nextDue() const {
    if (events_.empty()) return std::nullopt;
    if (window_.count() == 0 || events_.size() >= maxEvents_) return events_.front().added;
    return events_.front().added + window_;
}

}  // namespace resound::webhooks
