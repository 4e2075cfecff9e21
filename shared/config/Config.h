#pragma once
// Typed configuration, parsed once at start-up (ConfigLoader) and passed down read-only.
// Every field here is documented in README.md (option, YAML key, env var, default).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace resound::config {

// Who may send client events (client-*) on an app. Mirrors Reverb's accept_client_events_from.
enum class ClientEventsPolicy { Members, None };

// Which channels a webhook target hears about (apps[].webhooks[].filter); empty = no condition.
struct WebhookFilter {
    std::string channelNameStartsWith;
    std::string channelNameEndsWith;
};

// One receiver of an app's webhooks (apps[].webhooks[]). Event type names: config/WebhookConfig.h.
struct WebhookTarget {
    std::string url;                      // http:// or https://
    std::vector<std::string> eventTypes;  // e.g. channel_occupied, member_added (at least one)
    WebhookFilter filter;
    std::vector<std::pair<std::string, std::string>> headers;  // extra request headers, in order
    int batchMs = 0;  // 0 = one event per request; else collect events this long
};

struct AppConfig {
    std::string id;
    std::string key;
    std::string secret;
    int pingIntervalSeconds = 60;        // server sends pusher:ping after this much client silence
    int activityTimeoutSeconds = 30;     // sent to clients in connection_established (never 0)
    int pongTimeoutSeconds = 30;         // close 4201 if no traffic this long after our ping
    std::size_t maxMessageSize = 10000;  // bytes of one WebSocket message from a client (close 1009)
    std::vector<std::string> allowedOrigins{"*"};  // host names; "*" allows any
    ClientEventsPolicy clientEvents = ClientEventsPolicy::Members;
    bool userAuthentication = true;  // pusher:signin accepted
    int clientEventRateLimit = 10;   // client events per second per connection (0 = unlimited)
    std::size_t maxConnections = 0;  // 0 = unlimited; over it: 4004
    std::size_t maxChannelsPerConnection = 100;
    std::size_t maxPresenceMembers = 100;  // distinct users per presence channel (0 = unlimited)
    std::size_t maxUserInfoBytes = 1024;
    std::size_t maxEventPayloadBytes = 10240;  // HTTP API event data (413)
    std::size_t maxBatchSize = 10;             // batch_events items (400)
    std::size_t maxChannelsPerEvent = 100;     // channels in one publish (400)
    int cacheTtlSeconds = 1800;                // cache channel last-event lifetime
    bool subscriptionCountEvents = false;      // pusher_internal:subscription_count
    // resound-auth (docs/auth-verifier.md): HS256 key of the browser tokens the app issues; empty =
    // the verifier refuses tokens for this app. At least 32 bytes (RFC 7518 section 3.2).
    std::string jwtSecret;
    // Base64 of 32 bytes, as the Pusher SDKs' encryptionMasterKeyBase64; empty = no private-encrypted-.
    std::string encryptionMasterKey;
    std::vector<WebhookTarget> webhooks;    // none = no webhooks for this app
    int webhookGraceMs = 3000;              // channel_vacated / member_removed wait this long
    int webhookRetryWindowMs = 300000;      // retry a failing webhook this long, then drop it
    std::size_t webhookQueueLimit = 10000;  // requests waiting per target; beyond that: dropped
};

// A Redis host may name a Unix-domain socket instead, as phpredis reads it (so one REDIS_HOST serves
// Laravel and Resound): a path starting with '/', or unix:///path; the port is then ignored. Returns
// that path, or "" when `host` is a TCP host name or address.
std::string unixSocketPathOf(std::string_view host);
// "host:port", with an IPv6 address in brackets ("[::1]:6379"), for logs.
std::string hostPort(std::string_view host, unsigned port);
// "redis://redis:6379/0" or "unix:///run/redis/redis.sock?db=0", for logs (never a password).
std::string describeRedisAddress(std::string_view host, std::uint16_t port, int db);

struct RedisConfig {
    std::string host = "127.0.0.1";  // or a Unix socket path (unixSocketPathOf)
    std::uint16_t port = 6379;
    std::string password;
    int db = 0;

    std::string unixSocketPath() const { return unixSocketPathOf(host); }
    std::string describe() const { return describeRedisAddress(host, port, db); }
};

struct ServerConfig {
    std::string host = "0.0.0.0";
    std::uint16_t port = 8080;
    unsigned ioThreads = 0;  // 0 = number of cores
    std::string pathPrefix;  // e.g. "/ws" when a proxy does not strip it
    // HTTP API request body, 413 beyond. The default holds Pusher's largest request, a batch of 10
    // events of 10,240 bytes of data, even when every data byte arrives as a two-character JSON
    // escape (JSON text inside the JSON body), with names and channels: 10 x (2 x 10,240 + 1,000)
    // = 214,800 bytes. Reverb's 10,000 refused a single 10,000-byte event.
    std::size_t maxRequestSize = 256 * 1024;
    std::size_t maxRequestHeaderBytes = 8192;
    std::size_t maxQueuedBytesPerConnection = 1 << 20;  // slow consumer cap, then close 4100
    int authTimestampWindowSeconds = 600;               // 0 disables the auth_timestamp check
    int handshakeTimeoutSeconds = 5;
    int httpIdleTimeoutSeconds = 30;
    std::size_t maxConnections = 0;       // whole process; 0 = derived from the fd limit
    std::size_t maxConnectionsPerIp = 0;  // per source address; 0 = unlimited (behind a proxy all
                                          // clients share the proxy's address)
    std::string logLevel = "info";
    std::string webhookSpoolDir;  // embedded server: webhooks kept on disk until delivered; "" = off
    bool scalingEnabled = false;  // Redis mode
    RedisConfig redis;
    // Redis mode: a node whose heartbeat is older than the lease is dead and reaped; how soon a killed
    // node's members disappear is about lease + reaper interval. Shorter values find dead nodes
    // sooner but a Redis pause longer than the lease reaps live nodes (they re-register, members churn).
    int nodeLeaseMs = 10000;
    int heartbeatIntervalMs = 2000;
    int reaperIntervalMs = 3000;
    // Lame duck: on SIGTERM, /ready answers 503 at once while the server keeps serving and accepting for
    // this long, so a proxy that health-checks /ready stops routing here before anyone is asked to
    // reconnect; then clients get 4200 and the drain waits up to shutdownTimeoutMs for them to go.
    int shutdownDelayMs = 0;
    int shutdownTimeoutMs = 10000;
};

// The operator dashboard (GET /dashboard; docs/dashboard.md): the all-in-one server and resound-monitor.
struct DashboardConfig {
    std::string password;  // HTTP Basic password of user "admin"; "" = off (404). Never logged.
};

struct Config {
    ServerConfig server;
    DashboardConfig dashboard;
    std::vector<AppConfig> apps;
    // Set by the loader when an app uses the built-in development secret (no file and no env, or a copy
    // of the shipped config/resound.yaml): the server should log a warning at start-up.
    bool usesDevelopmentCredentials = false;
};

}  // namespace resound::config
