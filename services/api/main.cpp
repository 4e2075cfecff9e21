// resound-api: the Pusher HTTP API of the scale-out bundle (what Laravel's broadcaster calls).
// Stateless; any number of replicas. Answers 200 only once an event is handed to Redis.
#include "edge/ServerMain.h"

namespace {
constexpr const char* kUsage = R"(Usage: resound-api [--config FILE] [--help] [--version]
       resound-api healthcheck [--config FILE] [--url URL]

Serves the Pusher HTTP API (/apps/{id}/events, batch_events, channels, users, terminate_connections,
connections) plus /health, /ready, /up and /metrics. Publishes through Redis and reads cluster-wide
channel state from it: REVERB_SCALING_ENABLED=true, REDIS_HOST, REDIS_PORT, REDIS_PASSWORD, REDIS_DB.
Same configuration file and variables as `resound` (see README.md). healthcheck probes /ready.
SIGTERM: /ready 503 for server.shutdown_delay_ms (RESOUND_SHUTDOWN_DELAY_MS), then drain.
)";
}  // namespace

int main(int argc, char** argv) {
    resound::edge::ServerMainOptions options;
    options.roles = {false, true, "resound-api"};
    options.requiresScaling = true;
    options.usage = kUsage;
    return resound::edge::runServerMain(argc, argv, options);
}
