#pragma once
// What the holder of the webhook sender lease may do at a given moment, worked out from the times of
// its successful grants alone. A grant sent at t is valid on Redis until t + ttl; counting from the
// moment the request was sent (not answered) keeps this view on the safe side of Redis's by the round
// trip. Pure logic, socket-free: time comes in as an argument. The worker thread only.
#include <chrono>
#include <optional>

namespace resound::webhooks {

class LeaseTerm {
  public:
    using Clock = std::chrono::steady_clock;
    using TimePoint = Clock::time_point;

    explicit LeaseTerm(std::chrono::milliseconds ttl) : ttl_(ttl) {}

    void granted(TimePoint sentAt) { validUntil_ = sentAt + ttl_; }  // acquired or renewed
    void lost() { validUntil_.reset(); }                             // refused, or Redis unreachable

    bool held(TimePoint now) const { return validUntil_ && now < *validUntil_; }
    // A third of the ttl after the last grant: two renewals can fail before the lease runs out.
    bool renewDue(TimePoint now) const;
    // Whether a claim round that may take up to `popFor` can start now and still end while the lease
    // is certainly held, so no event is taken after another process may have become the sender.
    bool mayPop(TimePoint now, std::chrono::milliseconds popFor) const;

    std::chrono::milliseconds ttl() const { return ttl_; }

  private:
    const std::chrono::milliseconds ttl_;
    std::optional<TimePoint> validUntil_;
};

}  // namespace resound::webhooks
