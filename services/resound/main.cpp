// resound: the all-in-one server (WebSocket edge, Pusher HTTP API, health and metrics on one port, with
// an in-memory bus). What `php artisan reverb:start` is for a Laravel app.
#include "edge/ServerMain.h"

namespace {
constexpr const char* kUsage = R"(Usage: resound [--config FILE] [--help] [--version]
       resound healthcheck [--config FILE] [--url URL]

Runs the Resound server: the Pusher protocol v7 WebSocket endpoint (/app/{key}), the Pusher HTTP API
(/apps/{id}/...), /health, /ready, /up and /metrics, all on one port (default 8080), and with
RESOUND_DASHBOARD_PASSWORD set the operator dashboard at /dashboard (user admin). With
REVERB_SCALING_ENABLED=true it shares channels with other Resound processes through Redis.

Options:
  --config FILE   YAML configuration (see config/resound.yaml). Without it the built-in defaults are
                  used with a development app (id resound, key resound-key, secret resound-secret).
                  The environment variable RESOUND_CONFIG names the file too.
  --help          Show this text.
  --version       Print the version.
  healthcheck     Probe GET /ready on this server's port (or --url); exit 0 when it answers 200.
                  In a container whose main process is another Resound binary (resound-auth,
                  resound-monitor, ...), that binary's healthcheck runs instead.

Environment overrides use Laravel Reverb's names (REVERB_SERVER_HOST, REVERB_SERVER_PORT, REVERB_APP_ID,
REVERB_APP_KEY, REVERB_APP_SECRET, ...): see README.md for the full list.
Signals: SIGTERM/SIGINT stop gracefully (clients are told to reconnect with code 4200). With
server.shutdown_delay_ms (RESOUND_SHUTDOWN_DELAY_MS) SIGTERM first answers /ready 503 and keeps serving
that long, so a health-checking proxy stops routing here before clients reconnect.
)";
}  // namespace

int main(int argc, char** argv) {
    resound::edge::ServerMainOptions options;
    options.roles = {true, true, "resound", true};
    options.usage = kUsage;
    return resound::edge::runServerMain(argc, argv, options);
}
