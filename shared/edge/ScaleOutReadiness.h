#pragma once
// Why a scale-out process is not ready yet (GET /ready answers 503 with this reason), from the state
// of its Redis links. An edge must also have its pub/sub subscription back: after a Redis restart the
// command connections recover first and the subscriber a backoff step later (up to 2 s), and an edge
// that reported ready in between would silently miss every event published meanwhile. Pure; any thread.
#include <optional>
#include <string>

namespace resound::edge {

struct ScaleOutHealth {
    bool commandsReachable = false;    // CommandClient: Redis answers
    bool stateRegistered = false;      // RedisClusterState: this node's contributions are in Redis
    bool servesWebSockets = false;     // edges receive through the subscriber; the API only publishes
    bool subscriberConfirmed = false;  // Subscriber: connected and every wanted topic confirmed
};

std::optional<std::string> scaleOutReadinessProblem(const ScaleOutHealth& health);

}  // namespace resound::edge
