#include "config/ConfigSchema.h"

namespace resound::config::detail {
namespace {

constexpr std::string_view kLogLevels[] = {"trace", "debug", "info", "warn", "error"};
constexpr long long kMaxPort = 65535;
constexpr long long kMaxIoThreads = 1024;        // far above any core count; catches a mistyped value
constexpr long long kMaxWebhookGraceMs = 60000;  // Pusher waits up to 3 s
constexpr long long kMaxWebhookRetryWindowMs = 86400000;  // a day; Pusher retries for 5 minutes
constexpr long long kMaxNodeTimingMs = 600000;            // ten minutes: ghosts that long help nobody
constexpr long long kMaxShutdownMs = 600000;              // beyond any orchestrator's stop grace period

using S = ServerConfig;
const FieldSpec<S> kServer[] = {
    {.key = "host", .envVar = "REVERB_SERVER_HOST", .member = &S::host, .required = true},
    {.key = "port", .envVar = "REVERB_SERVER_PORT", .member = &S::port, .min = 1, .max = kMaxPort},
    {.key = "io_threads", .envVar = "RESOUND_IO_THREADS", .member = &S::ioThreads, .max = kMaxIoThreads},
    {.key = "path_prefix", .envVar = "REVERB_SERVER_PATH", .member = &S::pathPrefix},
    {.key = "max_request_size", .envVar = "REVERB_MAX_REQUEST_SIZE", .member = &S::maxRequestSize, .min = 1},
    {.key = "max_request_header_bytes", .member = &S::maxRequestHeaderBytes, .min = 1},
    {.key = "max_queued_bytes_per_connection", .member = &S::maxQueuedBytesPerConnection, .min = 1},
    {.key = "auth_timestamp_window", .member = &S::authTimestampWindowSeconds},  // 0 disables the check
    {.key = "handshake_timeout", .member = &S::handshakeTimeoutSeconds, .min = 1},
    {.key = "http_idle_timeout", .member = &S::httpIdleTimeoutSeconds, .min = 1},
    {.key = "max_connections", .member = &S::maxConnections},              // 0 = derived from the fd limit
    {.key = "max_connections_per_ip", .member = &S::maxConnectionsPerIp},  // 0 = unlimited
    {.key = "log_level", .envVar = "RESOUND_LOG_LEVEL", .member = &S::logLevel, .choices = kLogLevels},
    {.key = "webhook_spool_dir", .envVar = "RESOUND_WEBHOOK_SPOOL_DIR", .member = &S::webhookSpoolDir},
    {.key = "shutdown_delay_ms",
     .envVar = "RESOUND_SHUTDOWN_DELAY_MS",
     .member = &S::shutdownDelayMs,
     .max = kMaxShutdownMs},
    {.key = "shutdown_timeout_ms",
     .envVar = "RESOUND_SHUTDOWN_TIMEOUT_MS",
     .member = &S::shutdownTimeoutMs,
     .max = kMaxShutdownMs},
};

const FieldSpec<S> kScaling[] = {
    {.key = "enabled", .envVar = "REVERB_SCALING_ENABLED", .member = &S::scalingEnabled},
    // Below 500 ms a heartbeat's own Redis round trips (500 ms I/O timeout) could outlast the lease.
    {.key = "node_lease_ms", .member = &S::nodeLeaseMs, .min = 500, .max = kMaxNodeTimingMs},
    {.key = "heartbeat_interval_ms", .member = &S::heartbeatIntervalMs, .min = 100, .max = kMaxNodeTimingMs},
    {.key = "reaper_interval_ms", .member = &S::reaperIntervalMs, .min = 100, .max = kMaxNodeTimingMs},
};

using R = RedisConfig;
const FieldSpec<R> kRedis[] = {
    {.key = "host", .envVar = "REDIS_HOST", .member = &R::host, .required = true},
    {.key = "port", .envVar = "REDIS_PORT", .member = &R::port, .min = 1, .max = kMaxPort},
    {.key = "password", .envVar = "REDIS_PASSWORD", .member = &R::password},
    {.key = "db", .envVar = "REDIS_DB", .member = &R::db},
};

using D = DashboardConfig;
const FieldSpec<D> kDashboard[] = {
    {.key = "password", .envVar = "RESOUND_DASHBOARD_PASSWORD", .member = &D::password},
};

using A = AppConfig;
const FieldSpec<A> kApp[] = {
    {.key = "id", .envVar = "REVERB_APP_ID", .member = &A::id, .required = true},
    {.key = "key", .envVar = "REVERB_APP_KEY", .member = &A::key, .required = true},
    {.key = "secret", .envVar = "REVERB_APP_SECRET", .member = &A::secret, .required = true},
    {.key = "ping_interval",
     .envVar = "REVERB_APP_PING_INTERVAL",
     .member = &A::pingIntervalSeconds,
     .min = 1},
    // pusher-js throws on an activity_timeout of 0.
    {.key = "activity_timeout",
     .envVar = "REVERB_APP_ACTIVITY_TIMEOUT",
     .member = &A::activityTimeoutSeconds,
     .min = 1},
    {.key = "pong_timeout", .member = &A::pongTimeoutSeconds, .min = 1},
    {.key = "max_message_size",
     .envVar = "REVERB_APP_MAX_MESSAGE_SIZE",
     .member = &A::maxMessageSize,
     .min = 1},
    {.key = "allowed_origins", .envVar = "REVERB_APP_ALLOWED_ORIGINS", .member = &A::allowedOrigins},
    {.key = "client_events", .envVar = "RESOUND_APP_CLIENT_EVENTS", .member = &A::clientEvents},
    {.key = "user_authentication", .member = &A::userAuthentication},
    {.key = "client_event_rate_limit", .member = &A::clientEventRateLimit},  // 0 = unlimited
    {.key = "max_connections", .envVar = "REVERB_APP_MAX_CONNECTIONS", .member = &A::maxConnections},
    {.key = "max_channels_per_connection", .member = &A::maxChannelsPerConnection, .min = 1},
    {.key = "max_presence_members", .member = &A::maxPresenceMembers},  // 0 = unlimited
    {.key = "max_user_info_bytes", .member = &A::maxUserInfoBytes, .min = 1},
    {.key = "max_event_payload_bytes", .member = &A::maxEventPayloadBytes, .min = 1},
    {.key = "max_batch_size", .member = &A::maxBatchSize, .min = 1},
    {.key = "max_channels_per_event", .member = &A::maxChannelsPerEvent, .min = 1},
    {.key = "cache_ttl", .member = &A::cacheTtlSeconds, .min = 1},
    {.key = "subscription_count_events", .member = &A::subscriptionCountEvents},
    {.key = "webhook_grace_ms",
     .envVar = "RESOUND_APP_WEBHOOK_GRACE_MS",
     .member = &A::webhookGraceMs,
     .max = kMaxWebhookGraceMs},
    {.key = "webhook_retry_window_ms",
     .envVar = "RESOUND_APP_WEBHOOK_RETRY_WINDOW_MS",
     .member = &A::webhookRetryWindowMs,
     .max = kMaxWebhookRetryWindowMs},  // 0 = one attempt, no retries
    {.key = "webhook_queue_limit", .member = &A::webhookQueueLimit, .min = 1},
    {.key = "jwt_secret", .envVar = "RESOUND_APP_JWT_SECRET", .member = &A::jwtSecret},
    {.key = "encryption_master_key",
     .envVar = "RESOUND_APP_ENCRYPTION_MASTER_KEY",
     .member = &A::encryptionMasterKey},
};

}  // namespace

std::span<const FieldSpec<ServerConfig>> serverFields() { return kServer; }
std::span<const FieldSpec<ServerConfig>> scalingFields() { return kScaling; }
std::span<const FieldSpec<RedisConfig>> redisFields() { return kRedis; }
std::span<const FieldSpec<AppConfig>> appFields() { return kApp; }
std::span<const FieldSpec<DashboardConfig>> dashboardFields() { return kDashboard; }

}  // namespace resound::config::detail
