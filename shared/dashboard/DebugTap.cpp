#include "dashboard/DebugTap.h"

#include <algorithm>
#include <mutex>
#include <stdexcept>

namespace resound::dashboard {

DebugTap::Watch::~Watch() { tap_.remove(id_); }

std::unique_ptr<DebugTap::Watch> DebugTap::watch(DebugFilter filter, Sink sink) {
    if (auto problem = filter.problem()) throw std::invalid_argument(*problem);
    std::unique_lock lock(mutex_);
    const std::size_t id = nextId_++;
    entries_.push_back(Entry{id, std::move(filter), std::move(sink)});
    watchCount_.store(entries_.size(), std::memory_order_relaxed);
    return std::unique_ptr<Watch>(new Watch(*this, id));
}

void DebugTap::remove(std::size_t id) {
    std::unique_lock lock(mutex_);
    std::erase_if(entries_, [id](const Entry& entry) { return entry.id == id; });
    watchCount_.store(entries_.size(), std::memory_order_relaxed);
}

bool DebugTap::wants(std::string_view appId, std::string_view channel, std::string_view event) const {
    if (!active()) return false;
    std::shared_lock lock(mutex_);
    return std::any_of(entries_.begin(), entries_.end(),
                       [&](const Entry& entry) { return entry.filter.matches(appId, channel, event); });
}

std::vector<DebugFilter> DebugTap::filters() const {
    std::shared_lock lock(mutex_);
    std::vector<DebugFilter> out;
    out.reserve(entries_.size());
    for (const Entry& entry : entries_) out.push_back(entry.filter);
    return out;
}

void DebugTap::emit(const DebugEvent& event) const {
    if (!active()) return;
    std::shared_lock lock(mutex_);
    for (const Entry& entry : entries_) {
        if (entry.filter.matches(event.appId, event.channel, event.event)) entry.sink(event);
    }
}

}  // namespace resound::dashboard
