#pragma once
// The embedded server's optional webhook spool: one append-only file (<dir>/webhooks.spool) so that
// accepted events survive a restart or a crash. A line "+<entry>" (QueuedEventCodec, with the event's
// id and creation time) is written and fsynced before the event is routed; a line "-<id>" when it is
// settled (delivered, or dropped for good). Opening the file replays it: the events accepted and not
// settled come back, in order, and the file is rewritten with only them. While running, the file is
// rewritten the same way when it grows past four times what is still pending (and 1 MiB). A settle line
// is not fsynced: losing one in a crash only means the event is sent once more, with the same id.
// append() from the dispatcher's router thread, settle() from any thread.
#include <cstddef>
#include <cstdint>
#include <list>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace resound::webhooks {

class WebhookSpool {
  public:
    // Creates the directory if needed; throws std::runtime_error when the file cannot be used.
    explicit WebhookSpool(const std::string& directory);
    ~WebhookSpool();
    WebhookSpool(const WebhookSpool&) = delete;
    WebhookSpool& operator=(const WebhookSpool&) = delete;

    // The entries accepted and not settled before this process started, oldest first (once).
    std::vector<std::string> takeRecovered();
    // Appends accepted entries (id, entry) and fsyncs; false when the write failed (logged once).
    bool append(const std::vector<std::pair<std::string, std::string>>& entries);
    void settle(const std::string& id);

    std::size_t pending() const;
    const std::string& path() const { return path_; }

  private:
    void rewriteLocked();  // the pending entries only
    bool writeLocked(const std::string& text, bool sync);

    const std::string directory_;
    const std::string path_;
    mutable std::mutex mutex_;
    int fd_ = -1;
    std::list<std::pair<std::string, std::string>> order_;  // pending (id, entry), oldest first
    std::unordered_map<std::string, std::list<std::pair<std::string, std::string>>::iterator> byId_;
    std::size_t pendingBytes_ = 0;
    std::size_t fileBytes_ = 0;
    std::vector<std::string> recovered_;
    bool warned_ = false;
};

}  // namespace resound::webhooks
