#include "dashboard/StreamHub.h"

#include <algorithm>

namespace resound::dashboard {

struct StreamHub::Entry {
    std::shared_ptr<httpserver::ResponseStream> stream;
    std::mutex mutex;  // the queue below; taken by the tap's sinks and by pump()
    std::string pending;
    std::size_t pendingCount = 0;
    std::size_t dropped = 0;
    std::unique_ptr<DebugTap::Watch> watch;  // destroyed (and so unhooked) before the rest
    ~Entry() { watch.reset(); }
};

std::string sseEvent(std::string_view name, std::string_view data) {
    std::string out;
    out.reserve(name.size() + data.size() + 16);
    out += "event: ";
    out += name;
    out += "\ndata: ";
    out += data;
    out += "\n\n";
    return out;
}

StreamHub::StreamHub(std::size_t queueLimit, std::size_t maxStreams)
    : queueLimit_(queueLimit), maxStreams_(maxStreams) {}

StreamHub::~StreamHub() { closeAll(); }

bool StreamHub::full() const {
    std::lock_guard lock(mutex_);
    return entries_.size() >= maxStreams_;
}

std::size_t StreamHub::size() const {
    std::lock_guard lock(mutex_);
    return entries_.size();
}

void StreamHub::add(std::shared_ptr<httpserver::ResponseStream> stream, DebugTap* tap,
                    std::optional<DebugFilter> filter) {
    auto entry = std::make_shared<Entry>();
    entry->stream = std::move(stream);
    if (tap && filter) {
        Entry* raw = entry.get();  // the watch dies first (~Entry), so the sink never outlives it
        const std::size_t limit = queueLimit_;
        entry->watch = tap->watch(std::move(*filter), [raw, limit](const DebugEvent& event) {
            {
                std::lock_guard lock(raw->mutex);
                if (raw->pendingCount >= limit) {
                    ++raw->dropped;
                    return;
                }
            }
            std::string text = sseEvent("debug", toJson(event));
            std::lock_guard lock(raw->mutex);
            raw->pending += text;
            ++raw->pendingCount;
        });
    }
    std::lock_guard lock(mutex_);
    entries_.push_back(std::move(entry));
}

void StreamHub::forgetClosed(std::vector<std::shared_ptr<Entry>>& gone) {
    std::lock_guard lock(mutex_);
    for (auto it = entries_.begin(); it != entries_.end();) {
        if (!(*it)->stream->open()) {
            gone.push_back(std::move(*it));
            it = entries_.erase(it);
        } else {
            ++it;
        }
    }
}

void StreamHub::pump() {
    std::vector<std::shared_ptr<Entry>> entries;
    {
        std::lock_guard lock(mutex_);
        entries = entries_;
    }
    for (const auto& entry : entries) {
        std::string chunk;
        std::size_t dropped = 0;
        {
            std::lock_guard lock(entry->mutex);
            chunk.swap(entry->pending);
            entry->pendingCount = 0;
            std::swap(dropped, entry->dropped);
        }
        if (dropped > 0) chunk += sseEvent("dropped", "{\"count\":" + std::to_string(dropped) + "}");
        if (!chunk.empty()) entry->stream->push(chunk);
    }
    entries.clear();
    std::vector<std::shared_ptr<Entry>> gone;
    forgetClosed(gone);
    // `gone` goes out of scope here, outside mutex_: each ~Entry waits for a running sink.
}

void StreamHub::broadcast(const std::string& text) {
    std::vector<std::shared_ptr<Entry>> entries;
    {
        std::lock_guard lock(mutex_);
        entries = entries_;
    }
    for (const auto& entry : entries) entry->stream->push(text);
}

void StreamHub::closeAll() {
    std::vector<std::shared_ptr<Entry>> entries;
    {
        std::lock_guard lock(mutex_);
        entries.swap(entries_);
    }
    for (const auto& entry : entries) {
        entry->watch.reset();
        entry->stream->end();
    }
}

}  // namespace resound::dashboard
