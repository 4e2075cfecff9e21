#pragma once
// Why a subscription is refused: the `type` and `status` of pusher:subscription_error
// (docs/protocol.md §1.8). `status` mixes HTTP-style numbers (400, 401) with Pusher codes (4009,
// 4100, 4301); the names below are the only place those numbers are written.
#include <string_view>

#include "pusher/ErrorCodes.h"

namespace resound::pusher {

struct SubscriptionRefusal {
    std::string_view type;
    int status;
};

namespace refusal {
inline constexpr SubscriptionRefusal InvalidChannel{"InvalidChannel", code::Unauthorized};  // 4009
inline constexpr SubscriptionRefusal TooManyChannels{"LimitReached", code::OverCapacity};   // 4100
inline constexpr SubscriptionRefusal PresenceFull{"LimitReached", code::OverCapacity};      // 4100
inline constexpr SubscriptionRefusal BadSignature{"AuthError", 401};                        // HTTP 401
inline constexpr SubscriptionRefusal BadChannelData{"AuthError", 400};                      // HTTP 400
inline constexpr SubscriptionRefusal UserInfoTooLarge{"LimitReached", 4301};        // Pusher 43xx: stays
inline constexpr SubscriptionRefusal NotThisUser{"AuthError", code::Unauthorized};  // 4009
}  // namespace refusal

}  // namespace resound::pusher
