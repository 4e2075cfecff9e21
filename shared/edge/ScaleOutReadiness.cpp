#include "edge/ScaleOutReadiness.h"

namespace resound::edge {

std::optional<std::string> scaleOutReadinessProblem(const ScaleOutHealth& health) {
    if (!health.commandsReachable) return std::string("Redis is unreachable");
    if (!health.stateRegistered) return std::string("cluster state not registered in Redis yet");
    if (health.servesWebSockets && !health.subscriberConfirmed) {
        return std::string("Redis pub/sub subscriptions not confirmed yet (resubscribing)");
    }
    return std::nullopt;
}

}  // namespace resound::edge
