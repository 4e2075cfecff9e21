// resound-edge: the WebSocket side of the scale-out bundle. Any number of replicas; they share
// channels, presence and client events through Redis.
#include "edge/ServerMain.h"

namespace {
constexpr const char* kUsage = R"(Usage: resound-edge [--config FILE] [--help] [--version]
       resound-edge healthcheck [--config FILE] [--url URL]

Serves Pusher protocol v7 WebSocket connections (/app/{key}) plus /health, /ready and /metrics.
Needs Redis: REVERB_SCALING_ENABLED=true, REDIS_HOST, REDIS_PORT, REDIS_PASSWORD, REDIS_DB.
Same configuration file and variables as `resound` (see README.md). healthcheck probes /ready.
SIGTERM: /ready 503 for server.shutdown_delay_ms (RESOUND_SHUTDOWN_DELAY_MS), then drain.
)";
}  // namespace

int main(int argc, char** argv) {
    resound::edge::ServerMainOptions options;
    options.roles = {true, false, "resound-edge"};
    options.requiresScaling = true;
    options.usage = kUsage;
    return resound::edge::runServerMain(argc, argv, options);
}
