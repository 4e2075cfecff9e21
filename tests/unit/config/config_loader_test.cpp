// The successful paths: defaults, every YAML key, env overrides, the shipped config/resound.yaml.
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "ConfigTestSupport.h"

namespace resound::config::test {
namespace {

TEST(ConfigLoader, DefaultConfigWithoutEnvServesTheFlaggedDevelopmentApp) {
    const Config config = defaultConfig(fakeEnv({}));
    ASSERT_EQ(config.apps.size(), 1u);
    EXPECT_EQ(config.apps[0].id, "resound");
    EXPECT_EQ(config.apps[0].key, "resound-key");
    EXPECT_EQ(config.apps[0].secret, "resound-secret");
    EXPECT_TRUE(config.usesDevelopmentCredentials);
    EXPECT_EQ(config.server.host, "0.0.0.0");
    EXPECT_EQ(config.server.port, 8080);
    EXPECT_EQ(config.server.logLevel, "info");
    EXPECT_FALSE(config.server.scalingEnabled);
}

TEST(ConfigLoader, DefaultConfigTakesTheAppFromReverbEnv) {
    const Config config = defaultConfig(fakeEnv({{"REVERB_APP_ID", "123"},
                                                 {"REVERB_APP_KEY", "pk"},
                                                 {"REVERB_APP_SECRET", "sk"},
                                                 {"REVERB_APP_PING_INTERVAL", "15"}}));
    ASSERT_EQ(config.apps.size(), 1u);
    EXPECT_EQ(config.apps[0].id, "123");
    EXPECT_EQ(config.apps[0].key, "pk");
    EXPECT_EQ(config.apps[0].secret, "sk");
    EXPECT_EQ(config.apps[0].pingIntervalSeconds, 15);
    EXPECT_FALSE(config.usesDevelopmentCredentials);
}

TEST(ConfigLoader, MinimalFileKeepsEveryDefault) {
    const Config config = parseConfig(kMinimalApp, fakeEnv({}));
    const AppConfig defaults;
    ASSERT_EQ(config.apps.size(), 1u);
    const AppConfig& app = config.apps[0];
    EXPECT_EQ(app.id, "a1");
    EXPECT_EQ(app.activityTimeoutSeconds, defaults.activityTimeoutSeconds);
    EXPECT_EQ(app.allowedOrigins, defaults.allowedOrigins);
    EXPECT_EQ(app.clientEvents, ClientEventsPolicy::Members);
    EXPECT_EQ(config.server.maxQueuedBytesPerConnection, ServerConfig{}.maxQueuedBytesPerConnection);
    // Production node timings: a killed node disappears after about lease + reaper interval (13 s).
    EXPECT_EQ(config.server.nodeLeaseMs, 10000);
    EXPECT_EQ(config.server.heartbeatIntervalMs, 2000);
    EXPECT_EQ(config.server.reaperIntervalMs, 3000);
    EXPECT_FALSE(config.usesDevelopmentCredentials);
}

TEST(ConfigLoader, FullFileMapsEveryKey) {
    const Config config = parseConfig(R"(
server:
  host: 127.0.0.2
  port: 6001
  io_threads: 3
  path_prefix: /ws
  max_request_size: 20000
  max_request_header_bytes: 4096
  max_queued_bytes_per_connection: 65536
  auth_timestamp_window: 0
  handshake_timeout: 7
  http_idle_timeout: 11
  max_connections: 5000
  log_level: DEBUG
  shutdown_delay_ms: 6000
  shutdown_timeout_ms: 15000
  scaling:
    enabled: true
    redis: {host: redis.local, port: 6380, password: pw, db: 2}
    node_lease_ms: 4000
    heartbeat_interval_ms: 1000
    reaper_interval_ms: 700
apps:
  - id: a1
    key: k1
    secret: s1
    ping_interval: 20
    activity_timeout: 25
    pong_timeout: 9
    max_message_size: 2048
    allowed_origins: [example.com, "*.example.org"]
    client_events: none
    user_authentication: false
    client_event_rate_limit: 0
    max_connections: 50
    max_channels_per_connection: 10
    max_presence_members: 0
    max_user_info_bytes: 512
    max_event_payload_bytes: 4096
    max_batch_size: 5
    max_channels_per_event: 20
    cache_ttl: 60
    subscription_count_events: true
  - {id: a2, key: k2, secret: s2}
)",
                                      fakeEnv({}));
    const ServerConfig& s = config.server;
    EXPECT_EQ(s.host, "127.0.0.2");
    EXPECT_EQ(s.port, 6001);
    EXPECT_EQ(s.ioThreads, 3u);
    EXPECT_EQ(s.pathPrefix, "/ws");
    EXPECT_EQ(s.maxRequestSize, 20000u);
    EXPECT_EQ(s.maxRequestHeaderBytes, 4096u);
    EXPECT_EQ(s.maxQueuedBytesPerConnection, 65536u);
    EXPECT_EQ(s.authTimestampWindowSeconds, 0);
    EXPECT_EQ(s.handshakeTimeoutSeconds, 7);
    EXPECT_EQ(s.httpIdleTimeoutSeconds, 11);
    EXPECT_EQ(s.maxConnections, 5000u);
    EXPECT_EQ(s.logLevel, "debug");  // case-insensitive, stored canonical
    EXPECT_EQ(s.shutdownDelayMs, 6000);
    EXPECT_EQ(s.shutdownTimeoutMs, 15000);
    EXPECT_TRUE(s.scalingEnabled);
    EXPECT_EQ(s.redis.host, "redis.local");
    EXPECT_EQ(s.redis.port, 6380);
    EXPECT_EQ(s.redis.password, "pw");
    EXPECT_EQ(s.redis.db, 2);
    EXPECT_EQ(s.nodeLeaseMs, 4000);
    EXPECT_EQ(s.heartbeatIntervalMs, 1000);
    EXPECT_EQ(s.reaperIntervalMs, 700);

    ASSERT_EQ(config.apps.size(), 2u);
    const AppConfig& a = config.apps[0];
    EXPECT_EQ(a.pingIntervalSeconds, 20);
    EXPECT_EQ(a.activityTimeoutSeconds, 25);
    EXPECT_EQ(a.pongTimeoutSeconds, 9);
    EXPECT_EQ(a.maxMessageSize, 2048u);
    EXPECT_EQ(a.allowedOrigins, (std::vector<std::string>{"example.com", "*.example.org"}));
    EXPECT_EQ(a.clientEvents, ClientEventsPolicy::None);
    EXPECT_FALSE(a.userAuthentication);
    EXPECT_EQ(a.clientEventRateLimit, 0);
    EXPECT_EQ(a.maxConnections, 50u);
    EXPECT_EQ(a.maxChannelsPerConnection, 10u);
    EXPECT_EQ(a.maxPresenceMembers, 0u);
    EXPECT_EQ(a.maxUserInfoBytes, 512u);
    EXPECT_EQ(a.maxEventPayloadBytes, 4096u);
    EXPECT_EQ(a.maxBatchSize, 5u);
    EXPECT_EQ(a.maxChannelsPerEvent, 20u);
    EXPECT_EQ(a.cacheTtlSeconds, 60);
    EXPECT_TRUE(a.subscriptionCountEvents);
    EXPECT_EQ(config.apps[1].id, "a2");
    EXPECT_EQ(config.apps[1].pingIntervalSeconds, 60);
}

TEST(ConfigLoader, EnvOverridesTheFileAndAppliesToTheFirstApp) {
    const Config config = parseConfig(std::string("server: {port: 7000, host: 10.0.0.1}\n") +
                                          "apps:\n  - {id: a1, key: k1, secret: s1}\n"
                                          "  - {id: a2, key: k2, secret: s2}\n",
                                      fakeEnv({{"REVERB_SERVER_HOST", "127.0.0.1"},
                                               {"REVERB_SERVER_PORT", " 9000 "},
                                               {"REVERB_SERVER_PATH", "ws/"},
                                               {"REVERB_MAX_REQUEST_SIZE", "30000"},
                                               {"REVERB_SCALING_ENABLED", "TRUE"},
                                               {"REDIS_HOST", "cache"},
                                               {"REDIS_PORT", "6390"},
                                               {"REDIS_PASSWORD", "redis-pw"},
                                               {"REDIS_DB", "4"},
                                               {"RESOUND_IO_THREADS", "2"},
                                               {"RESOUND_LOG_LEVEL", "warn"},
                                               {"RESOUND_SHUTDOWN_DELAY_MS", "7000"},
                                               {"RESOUND_SHUTDOWN_TIMEOUT_MS", "20000"},
                                               {"REVERB_APP_ID", "env-id"},
                                               {"REVERB_APP_KEY", "env-key"},
                                               {"REVERB_APP_SECRET", "env-secret"},
                                               {"REVERB_APP_PING_INTERVAL", "12"},
                                               {"REVERB_APP_ACTIVITY_TIMEOUT", "13"},
                                               {"REVERB_APP_MAX_MESSAGE_SIZE", "14"},
                                               {"REVERB_APP_ALLOWED_ORIGINS", " a.test, ,b.test "},
                                               {"REVERB_APP_MAX_CONNECTIONS", "15"},
                                               {"RESOUND_APP_CLIENT_EVENTS", "none"}}));
    const ServerConfig& s = config.server;
    EXPECT_EQ(s.host, "127.0.0.1");
    EXPECT_EQ(s.port, 9000);
    EXPECT_EQ(s.pathPrefix, "/ws");
    EXPECT_EQ(s.maxRequestSize, 30000u);
    EXPECT_TRUE(s.scalingEnabled);
    EXPECT_EQ(s.redis.host, "cache");
    EXPECT_EQ(s.redis.port, 6390);
    EXPECT_EQ(s.redis.password, "redis-pw");
    EXPECT_EQ(s.redis.db, 4);
    EXPECT_EQ(s.ioThreads, 2u);
    EXPECT_EQ(s.logLevel, "warn");
    EXPECT_EQ(s.shutdownDelayMs, 7000);
    EXPECT_EQ(s.shutdownTimeoutMs, 20000);
    const AppConfig& a = config.apps[0];
    EXPECT_EQ(a.id, "env-id");
    EXPECT_EQ(a.key, "env-key");
    EXPECT_EQ(a.secret, "env-secret");
    EXPECT_EQ(a.pingIntervalSeconds, 12);
    EXPECT_EQ(a.activityTimeoutSeconds, 13);
    EXPECT_EQ(a.maxMessageSize, 14u);
    EXPECT_EQ(a.allowedOrigins, (std::vector<std::string>{"a.test", "b.test"}));
    EXPECT_EQ(a.maxConnections, 15u);
    EXPECT_EQ(a.clientEvents, ClientEventsPolicy::None);
    EXPECT_EQ(config.apps[1].id, "a2");  // only the first app is overridden
    EXPECT_EQ(config.apps[1].pingIntervalSeconds, 60);
}

TEST(ConfigLoader, EnvCreatesTheAppWhenTheFileHasNone) {
    const Config config =
        parseConfig("server:\n  port: 7000\n", fakeEnv({{"REVERB_APP_ID", "1"},
                                                        {"REVERB_APP_KEY", "k"},
                                                        {"REVERB_APP_SECRET", "s"},
                                                        {"REVERB_APP_ACTIVITY_TIMEOUT", "5"}}));
    ASSERT_EQ(config.apps.size(), 1u);
    EXPECT_EQ(config.apps[0].id, "1");
    EXPECT_EQ(config.apps[0].activityTimeoutSeconds, 5);
    EXPECT_EQ(config.server.port, 7000);
}

TEST(ConfigLoader, EmptyEnvValuesCountAsUnset) {
    const Config config = parseConfig(
        kMinimalApp,
        fakeEnv({{"REVERB_SERVER_PORT", ""}, {"REVERB_APP_MAX_CONNECTIONS", "  "}, {"REVERB_APP_ID", ""}}));
    EXPECT_EQ(config.server.port, 8080);
    EXPECT_EQ(config.apps[0].maxConnections, 0u);
    EXPECT_EQ(config.apps[0].id, "a1");
}

TEST(ConfigLoader, EmptyOrCommentedSectionsKeepDefaults) {
    const Config config =
        parseConfig("server:\n  # port: 1\napps:\n",
                    fakeEnv({{"REVERB_APP_ID", "1"}, {"REVERB_APP_KEY", "k"}, {"REVERB_APP_SECRET", "s"}}));
    EXPECT_EQ(config.server.port, 8080);
    EXPECT_EQ(config.apps.size(), 1u);
}

TEST(ConfigLoader, PathPrefixIsNormalized) {
    const auto prefixOf = [](const std::string& prefix) {
        return parseConfig("server: {path_prefix: \"" + prefix + "\"}\n" + kMinimalApp, fakeEnv({}))
            .server.pathPrefix;
    };
    EXPECT_EQ(prefixOf(""), "");
    EXPECT_EQ(prefixOf("/"), "");
    EXPECT_EQ(prefixOf("ws"), "/ws");
    EXPECT_EQ(prefixOf("/ws/"), "/ws");
    EXPECT_EQ(prefixOf("/a/b"), "/a/b");
}

TEST(ConfigLoader, AnyAppWithTheDevelopmentSecretIsFlagged) {
    const Config config = parseConfig("apps:\n  - {id: a, key: k, secret: resound-secret}\n", fakeEnv({}));
    EXPECT_TRUE(config.usesDevelopmentCredentials);
    const Config replaced = parseConfig("apps:\n  - {id: a, key: k, secret: resound-secret}\n",
                                        fakeEnv({{"REVERB_APP_SECRET", "real"}}));
    EXPECT_FALSE(replaced.usesDevelopmentCredentials);
}

TEST(ConfigLoader, ProcessEnvironmentReadsGetenv) {
    ::setenv("RESOUND_CONFIG_TEST_VARIABLE", "value", 1);
    const EnvLookup env = processEnvironment();
    EXPECT_EQ(env("RESOUND_CONFIG_TEST_VARIABLE"), std::optional<std::string>("value"));
    ::unsetenv("RESOUND_CONFIG_TEST_VARIABLE");
    EXPECT_EQ(env("RESOUND_CONFIG_TEST_VARIABLE"), std::nullopt);
}

std::filesystem::path shippedConfig() {
    return std::filesystem::path(RESOUND_SOURCE_DIR) / "config/resound.yaml";
}

TEST(ConfigLoader, ShippedConfigFileParsesToTheDefaults) {
    // The documented file must say exactly what the built-in defaults are.
    const Config config = loadConfigFile(shippedConfig().string(), fakeEnv({}));
    expectSameConfig(config, defaultConfig(fakeEnv({})));
    EXPECT_TRUE(config.usesDevelopmentCredentials);
}

// Pusher's limits must be reachable with the defaults: a batch of max_batch_size events with
// max_event_payload_bytes of data each, every data byte escaped in two characters, plus ~1 KB per item.
TEST(ConfigLoader, DefaultBodyLimitHoldsAPusherBatch) {
    const ServerConfig server;
    const AppConfig app;
    EXPECT_EQ(app.maxEventPayloadBytes, 10240u);
    EXPECT_EQ(app.maxBatchSize, 10u);
    EXPECT_GE(server.maxRequestSize, app.maxBatchSize * (2 * app.maxEventPayloadBytes + 1000));
}

TEST(ConfigLoader, LoadConfigFileReadsAFile) {
    const auto path = std::filesystem::temp_directory_path() / "resound-config-test.yaml";
    std::ofstream(path) << kMinimalApp;
    const Config config = loadConfigFile(path.string(), fakeEnv({}));
    std::filesystem::remove(path);
    EXPECT_EQ(config.apps.at(0).id, "a1");
}

TEST(ConfigLoader, DescribeNamesAppsButNoSecrets) {
    Config config =
        parseConfig(kMinimalApp, fakeEnv({{"REVERB_SCALING_ENABLED", "1"}, {"REDIS_PASSWORD", "hunter2"}}));
    const std::string line = describe(config);
    EXPECT_EQ(
        line,
        "listen=0.0.0.0:8080 path_prefix=none io_threads=auto max_connections=auto log_level=info "
        "shutdown_delay_ms=0 scaling=redis://127.0.0.1:6379/0 redis_auth=yes dashboard=off apps=1 [a1]");
    EXPECT_EQ(line.find("s1"), std::string::npos);
    EXPECT_EQ(line.find("hunter2"), std::string::npos);
}

TEST(ConfigLoader, ARedisHostThatIsAPathIsAUnixSocket) {
    const Config config = parseConfig(
        kMinimalApp, fakeEnv({{"REVERB_SCALING_ENABLED", "1"}, {"REDIS_HOST", "/run/redis/redis.sock"}}));
    EXPECT_EQ(config.server.redis.unixSocketPath(), "/run/redis/redis.sock");
    EXPECT_NE(describe(config).find(" scaling=unix:///run/redis/redis.sock?db=0 "), std::string::npos)
        << describe(config);

    EXPECT_EQ(unixSocketPathOf("unix:///var/run/redis.sock"), "/var/run/redis.sock");
    EXPECT_EQ(unixSocketPathOf("redis"), "");
    EXPECT_EQ(unixSocketPathOf("127.0.0.1"), "");
    EXPECT_EQ(unixSocketPathOf("::1"), "");
    EXPECT_EQ(unixSocketPathOf("unix://relative.sock"), "");  // not a path phpredis would take either
    EXPECT_EQ(describeRedisAddress("::1", 6380, 2), "redis://[::1]:6380/2");
}

TEST(ConfigLoader, DescribeShortensLongAppListsAndFlagsDevelopmentCredentials) {
    Config config = defaultConfig(fakeEnv({{"REVERB_SERVER_HOST", "::"}}));
    for (int i = 0; i < 6; ++i) config.apps.push_back(config.apps[0]);
    const std::string line = describe(config);
    EXPECT_NE(line.find("listen=[::]:8080"), std::string::npos) << line;
    EXPECT_NE(line.find("apps=7 [resound, resound, resound, resound, resound, +2 more]"), std::string::npos);
    EXPECT_NE(line.find("DEVELOPMENT-CREDENTIALS"), std::string::npos);
    EXPECT_EQ(line.find("resound-secret"), std::string::npos);
}

TEST(ConfigLoader, DashboardPasswordFromFileOrEnvIsNeverDescribed) {
    EXPECT_EQ(parseConfig(kMinimalApp, fakeEnv({})).dashboard.password, "");
    const std::string yaml = std::string(kMinimalApp) + "dashboard:\n  password: from-the-file\n";
    EXPECT_EQ(parseConfig(yaml, fakeEnv({})).dashboard.password, "from-the-file");
    const Config config = parseConfig(yaml, fakeEnv({{"RESOUND_DASHBOARD_PASSWORD", "s3cret-dash"}}));
    EXPECT_EQ(config.dashboard.password, "s3cret-dash");
    const std::string line = describe(config);
    EXPECT_NE(line.find("dashboard=on"), std::string::npos) << line;
    EXPECT_EQ(line.find("s3cret-dash"), std::string::npos) << line;
    EXPECT_NE(
        parseError(std::string(kMinimalApp) + "dashboard:\n  pasword: x\n").find("did you mean 'password'"),
        std::string::npos);
}

}  // namespace
}  // namespace resound::config::test
