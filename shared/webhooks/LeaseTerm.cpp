#include "webhooks/LeaseTerm.h"

namespace resound::webhooks {

bool LeaseTerm::renewDue(TimePoint now) const {
    if (!validUntil_) return true;
    const TimePoint grantedAt = *validUntil_ - ttl_;
    return now >= grantedAt + ttl_ / 3;
}

bool LeaseTerm::mayPop(TimePoint now, std::chrono::milliseconds popFor) const {
    return validUntil_ && now + popFor < *validUntil_;
}

}  // namespace resound::webhooks
