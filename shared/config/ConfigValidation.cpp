// validate(): the checks that apply to a whole Config, however it was built. Field ranges come from
// ConfigSchema; the rules here are the ones that span fields or entries.
#include <map>

#include "config/ConfigLoader.h"
#include "config/ConfigSchema.h"
#include "config/WebhookConfig.h"
#include "crypto/Base64.h"

namespace resound::config {
namespace {

using detail::failField;
using detail::quoted;

template <class Owner>
void checkFields(std::span<const detail::FieldSpec<Owner>> fields, const Owner& object,
                 const std::string& path) {
    for (const auto& field : fields) detail::checkField(field, object, path + "." + std::string(field.key));
}

void checkPathPrefix(const std::string& prefix) {
    if (prefix.empty()) return;
    if (prefix.front() != '/' || prefix.back() == '/') {
        failField("server.path_prefix", quoted(prefix) + " must start with '/' and not end with '/'");
    }
    if (prefix.find_first_of("?# \t") != std::string::npos) {
        failField("server.path_prefix", quoted(prefix) + " must be a plain URL path");
    }
}

// Origins are matched as host names (Reverb semantics); a URL here would never match anything.
void checkOrigins(const AppConfig& app, const std::string& path) {
    for (std::size_t i = 0; i < app.allowedOrigins.size(); ++i) {
        const std::string& origin = app.allowedOrigins[i];
        const std::string name = path + ".allowed_origins[" + std::to_string(i) + "]";
        if (origin.empty()) failField(name, "empty (use \"*\" to allow any origin)");
        if (origin.find("://") != std::string::npos) {
            failField(name, quoted(origin) + " must be a host name such as example.com, without a scheme");
        }
    }
}

// The auth verifier's keys (docs/auth-verifier.md). Checked here so a bad key stops start-up instead
// of failing every encrypted subscription. The messages never quote the secrets.
void checkAuthKeys(const AppConfig& app, const std::string& path) {
    constexpr std::size_t kMinJwtSecretBytes = 32;  // RFC 7518 3.2: at least the hash size for HS256
    if (!app.jwtSecret.empty() && app.jwtSecret.size() < kMinJwtSecretBytes) {
        failField(path + ".jwt_secret", "must be at least 32 characters (RFC 7518 section 3.2)");
    }
    if (app.encryptionMasterKey.empty()) return;
    const auto key = crypto::base64Decode(app.encryptionMasterKey);
    if (!key || key->size() != 32) {
        failField(path + ".encryption_master_key",
                  "must be the base64 encoding of exactly 32 bytes (e.g. `openssl rand -base64 32`)");
    }
}

// Apps are looked up by id (HTTP API) and by key (WebSocket path), so both must be unique.
void checkUnique(std::map<std::string, std::size_t>& seen, const std::string& value, std::size_t index,
                 const char* field) {
    const auto [it, inserted] = seen.emplace(value, index);
    if (!inserted) {
        failField("apps[" + std::to_string(index) + "]." + field,
                  quoted(value) + " duplicates apps[" + std::to_string(it->second) + "]." + field);
    }
}

// A node must heartbeat at least twice per lease, or one late heartbeat gets a live node reaped.
void checkNodeTimings(const ServerConfig& server) {
    if (server.heartbeatIntervalMs * 2 > server.nodeLeaseMs) {
        failField("server.scaling.heartbeat_interval_ms", std::to_string(server.heartbeatIntervalMs) +
                                                              " must be at most half of node_lease_ms (" +
                                                              std::to_string(server.nodeLeaseMs) + ")");
    }
}

// sockaddr_un holds 108 bytes with the terminating NUL on Linux (redis::ConnectionOptions asserts it).
constexpr std::size_t kMaxUnixSocketPath = 107;

void checkRedisSocketPath(const RedisConfig& redis) {
    const std::string path = redis.unixSocketPath();
    if (path.size() > kMaxUnixSocketPath) {
        failField("server.scaling.redis.host",
                  "the Unix socket path is " + std::to_string(path.size()) + " bytes long, at most " +
                      std::to_string(kMaxUnixSocketPath) + " fit in a socket address");
    }
}

}  // namespace

void validate(const Config& config) {
    checkFields(detail::serverFields(), config.server, "server");
    checkFields(detail::scalingFields(), config.server, "server.scaling");
    checkFields(detail::redisFields(), config.server.redis, "server.scaling.redis");
    checkFields(detail::dashboardFields(), config.dashboard, "dashboard");
    checkNodeTimings(config.server);
    checkRedisSocketPath(config.server.redis);
    checkPathPrefix(config.server.pathPrefix);

    if (config.apps.empty()) {
        failField("apps",
                  "no app configured (add one under apps: or set REVERB_APP_ID, REVERB_APP_KEY and "
                  "REVERB_APP_SECRET)");
    }
    std::map<std::string, std::size_t> ids;
    std::map<std::string, std::size_t> keys;
    for (std::size_t i = 0; i < config.apps.size(); ++i) {
        const AppConfig& app = config.apps[i];
        const std::string path = "apps[" + std::to_string(i) + "]";
        checkFields(detail::appFields(), app, path);
        checkOrigins(app, path);
        detail::checkWebhookTargets(app, path);
        checkAuthKeys(app, path);
        checkUnique(ids, app.id, i, "id");
        checkUnique(keys, app.key, i, "key");
    }
}

}  // namespace resound::config
