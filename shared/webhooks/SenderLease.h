#pragma once
// The Redis key that makes one WebhookWorker of the cluster its webhook sender: set if absent with a
// ttl, renewed by its holder, deleted by its holder on a clean stop (compare-and-delete, so a holder
// that already lost it cannot delete its successor's). Both are one small Lua script, atomic in
// Redis. The worker thread only, on the worker's own connection; each call is one round trip and
// throws Poco::Exception when Redis does not answer.
#include <Poco/Redis/Client.h>

#include <chrono>
#include <string>
#include <string_view>

namespace resound::webhooks {

class SenderLease {
  public:
    SenderLease(std::string key, std::string ownerId, std::chrono::milliseconds ttl);

    // True when this owner holds the lease afterwards (it was free, expired, or already ours: the ttl
    // starts again); false while another owner holds it.
    bool acquireOrRenew(Poco::Redis::Client& client);
    // Gives the lease up if it is still ours, so a standby takes over at its next attempt.
    void release(Poco::Redis::Client& client);
    // The current holder's id, "" when nobody holds it (for logs).
    std::string holder(Poco::Redis::Client& client);

    const std::string& ownerId() const { return ownerId_; }

  private:
    const std::string key_;
    const std::string ownerId_;
    const std::chrono::milliseconds ttl_;
};

}  // namespace resound::webhooks
