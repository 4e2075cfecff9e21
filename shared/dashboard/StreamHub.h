#pragma once
// The dashboard's open Server-Sent Event streams. Each may watch one app's debug events through the
// DebugTap: the watch's sink (on the emitting thread, an event loop) only appends the formatted event
// to the stream's own bounded queue; beyond the limit events are counted, not kept, and the count
// goes out as a "dropped" event. pump() (the dashboard's thread, every few tens of ms) writes each
// queue out as one chunk, and forgets streams whose client left, which destroys their watch.
// Any thread; add() from handlers, pump()/broadcast() from the dashboard's thread.
#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "dashboard/DebugTap.h"
#include "httpserver/ResponseStream.h"

namespace resound::dashboard {

class StreamHub {
  public:
    StreamHub(std::size_t queueLimit, std::size_t maxStreams);
    ~StreamHub();  // closeAll()
    StreamHub(const StreamHub&) = delete;
    StreamHub& operator=(const StreamHub&) = delete;

    bool full() const;
    // Takes an opened stream; with a filter (already checked: filter.problem() is nullopt) it also
    // gets that app's debug events from `tap`.
    void add(std::shared_ptr<httpserver::ResponseStream> stream, DebugTap* tap,
             std::optional<DebugFilter> filter);
    void pump();
    void broadcast(const std::string& sseEvent);  // the same text to every stream
    void closeAll();                              // ends every stream and drops every watch
    std::size_t size() const;

  private:
    struct Entry;
    void forgetClosed(std::vector<std::shared_ptr<Entry>>& gone);

    const std::size_t queueLimit_;
    const std::size_t maxStreams_;
    mutable std::mutex mutex_;
    std::vector<std::shared_ptr<Entry>> entries_;
};

// "event: <name>\ndata: <data>\n\n" (data must hold no newline; JSON from our writers never does).
std::string sseEvent(std::string_view name, std::string_view data);

}  // namespace resound::dashboard
