// Every rejected input gives one line naming the field (or env variable) at fault.
#include <filesystem>
#include <fstream>

#include "ConfigTestSupport.h"

namespace resound::config::test {
namespace {

std::string withServer(const std::string& serverBody) { return "server:\n" + serverBody + kMinimalApp; }

std::string withApp(const std::string& appBody) {
    return "apps:\n  - id: a1\n    key: k1\n    secret: s1\n" + appBody;
}

TEST(ConfigErrors, MissingOrEmptyCredentials) {
    EXPECT_EQ(parseError("apps:\n  - {key: k, secret: s}\n"), "apps[0].id: missing");
    EXPECT_EQ(parseError("apps:\n  - {id: a, secret: s}\n"), "apps[0].key: missing");
    EXPECT_EQ(parseError(std::string(kMinimalApp) + "  - {id: a2, key: k2}\n"), "apps[1].secret: missing");
    EXPECT_EQ(parseError("apps:\n  - {id: a, key: k, secret: \"\"}\n"), "apps[0].secret: missing");
    EXPECT_EQ(parseError("apps:\n  - {id: a, key: k, secret:}\n"), "apps[0].secret: missing");
}

TEST(ConfigErrors, NoAppAnywhere) {
    EXPECT_EQ(parseError("server: {port: 80}\n"),
              "apps: no app configured (add one under apps: or set REVERB_APP_ID, REVERB_APP_KEY and "
              "REVERB_APP_SECRET)");
    EXPECT_EQ(parseError(""), parseError("apps: []\n"));
}

TEST(ConfigErrors, PartialAppCredentialsInEnv) {
    const std::string message = parseError("", {{"REVERB_APP_ID", "1"}, {"REVERB_APP_SECRET", "s"}});
    EXPECT_EQ(message.rfind("REVERB_APP_KEY: missing", 0), 0u) << message;
    try {
        defaultConfig(fakeEnv({{"REVERB_APP_KEY", "k"}}));
        FAIL() << "expected ConfigError";
    } catch (const ConfigError& error) {
        EXPECT_EQ(std::string(error.what()).rfind("REVERB_APP_ID: missing", 0), 0u) << error.what();
    }
}

TEST(ConfigErrors, DuplicateIdOrKey) {
    EXPECT_EQ(parseError(std::string(kMinimalApp) + "  - {id: a1, key: k2, secret: s}\n"),
              "apps[1].id: 'a1' duplicates apps[0].id");
    EXPECT_EQ(parseError(std::string(kMinimalApp) + "  - {id: a2, key: k1, secret: s}\n"),
              "apps[1].key: 'k1' duplicates apps[0].key");
}

TEST(ConfigErrors, ARedisSocketPathTooLongForASocketAddress) {
    const std::string path = "/" + std::string(107, 's');
    EXPECT_EQ(
        parseError(kMinimalApp, {{"REDIS_HOST", path}}),
        "server.scaling.redis.host: the Unix socket path is 108 bytes long, at most 107 fit in a socket "
        "address");
    EXPECT_NO_THROW(parseConfig(kMinimalApp, fakeEnv({{"REDIS_HOST", path.substr(1)}})));  // a host name
}

TEST(ConfigErrors, PortOutOfRange) {
    EXPECT_EQ(parseError(withServer("  port: 70000\n")),
              "server.port: 70000 is out of range 1-65535 (line 2)");
    EXPECT_EQ(parseError(withServer("  port: 0\n")), "server.port: 0 is out of range 1-65535 (line 2)");
    EXPECT_EQ(parseError(kMinimalApp, {{"REVERB_SERVER_PORT", "abc"}}),
              "REVERB_SERVER_PORT: 'abc' is not a number");
    EXPECT_EQ(parseError(kMinimalApp, {{"REVERB_SERVER_PORT", "70000"}}),
              "REVERB_SERVER_PORT: 70000 is out of range 1-65535");
    EXPECT_EQ(parseError(kMinimalApp, {{"REDIS_PORT", "-1"}}), "REDIS_PORT: -1 is out of range 1-65535");
}

TEST(ConfigErrors, NodeTimings) {
    EXPECT_EQ(parseError(withServer("  scaling:\n    node_lease_ms: 100\n")),
              "server.scaling.node_lease_ms: 100 is out of range 500-600000 (line 3)");
    // Two heartbeats per lease at least, or a single late one gets a live node reaped.
    EXPECT_EQ(parseError(withServer("  scaling:\n    node_lease_ms: 1000\n    heartbeat_interval_ms: 600\n")),
              "server.scaling.heartbeat_interval_ms: 600 must be at most half of node_lease_ms (1000)");
}

TEST(ConfigErrors, ShutdownTimings) {
    EXPECT_EQ(parseError(withServer("  shutdown_delay_ms: 600001\n")),
              "server.shutdown_delay_ms: 600001 is out of range 0-600000 (line 2)");
    EXPECT_EQ(parseError(kMinimalApp, {{"RESOUND_SHUTDOWN_TIMEOUT_MS", "-5"}}),
              "RESOUND_SHUTDOWN_TIMEOUT_MS: -5 is out of range 0-600000");
}

TEST(ConfigErrors, BadNumbers) {
    EXPECT_EQ(parseError(withServer("  max_request_size: ten\n")),
              "server.max_request_size: 'ten' is not a number (line 2)");
    EXPECT_EQ(parseError(withServer("  max_connections: -5\n")),
              "server.max_connections: -5 must not be negative (line 2)");
    EXPECT_EQ(parseError(withServer("  handshake_timeout: 1.5\n")),
              "server.handshake_timeout: '1.5' is not a whole number (line 2)");
    EXPECT_EQ(
        parseError(withServer("  max_connections: 99999999999999999999999\n")),
        "server.max_connections: 99999999999999999999999 is too large (max 9223372036854775807) (line 2)");
    EXPECT_EQ(parseError(withServer("  io_threads: 5000\n")),
              "server.io_threads: 5000 is out of range 0-1024 (line 2)");
    EXPECT_EQ(parseError(withApp("    ping_interval: 3000000000\n")),
              "apps[0].ping_interval: 3000000000 is too large (max 2147483647) (line 5)");
    EXPECT_EQ(parseError(kMinimalApp, {{"REDIS_DB", "x1"}}), "REDIS_DB: 'x1' is not a number");
    EXPECT_EQ(parseError(kMinimalApp, {{"REVERB_APP_MAX_CONNECTIONS", "-1"}}),
              "REVERB_APP_MAX_CONNECTIONS: -1 must not be negative");
}

TEST(ConfigErrors, ActivityTimeoutAndMessageSizeMustBePositive) {
    EXPECT_EQ(parseError(withApp("    activity_timeout: 0\n")),
              "apps[0].activity_timeout: 0 must be at least 1 (line 5)");
    EXPECT_EQ(parseError(kMinimalApp, {{"REVERB_APP_ACTIVITY_TIMEOUT", "0"}}),
              "REVERB_APP_ACTIVITY_TIMEOUT: 0 must be at least 1");
    EXPECT_EQ(parseError(withApp("    max_message_size: 0\n")),
              "apps[0].max_message_size: 0 must be at least 1 (line 5)");
}

TEST(ConfigErrors, UnknownChoices) {
    EXPECT_EQ(parseError(withApp("    client_events: all\n")),
              "apps[0].client_events: 'all' is not one of members, none (line 5)");
    EXPECT_EQ(parseError(kMinimalApp, {{"RESOUND_APP_CLIENT_EVENTS", "everyone"}}),
              "RESOUND_APP_CLIENT_EVENTS: 'everyone' is not one of members, none");
    EXPECT_EQ(parseError(withServer("  log_level: verbose\n")),
              "server.log_level: 'verbose' is not one of trace, debug, info, warn, error (line 2)");
    EXPECT_EQ(parseError(kMinimalApp, {{"RESOUND_LOG_LEVEL", "loud"}}),
              "RESOUND_LOG_LEVEL: 'loud' is not one of trace, debug, info, warn, error");
    EXPECT_EQ(parseError(withApp("    user_authentication: maybe\n")),
              "apps[0].user_authentication: 'maybe' is not a boolean (use true or false) (line 5)");
    EXPECT_EQ(parseError(kMinimalApp, {{"REVERB_SCALING_ENABLED", "2"}}),
              "REVERB_SCALING_ENABLED: '2' is not a boolean (use true or false)");
}

TEST(ConfigErrors, YamlSyntaxErrorGivesTheLine) {
    EXPECT_EQ(parseError("server:\n  port: [8080\napps: []\n"),
              "config: YAML syntax error at line 3, column 5: end of sequence flow not found");
    EXPECT_EQ(parseError("server:\n\tport: 1\n").rfind("config: YAML syntax error at line 2", 0), 0u);
}

TEST(ConfigErrors, WrongTypes) {
    EXPECT_EQ(parseError("apps:\n  id: a\n"), "apps: expected a list of apps, got a map (line 2)");
    EXPECT_EQ(parseError("server: 8080\n"), "server: expected a map, got a single value (line 1)");
    EXPECT_EQ(parseError("- a\n- b\n"), "config: expected a map with server: and apps:, got a list (line 1)");
    EXPECT_EQ(parseError("apps:\n  - a1\n"),
              "apps[0]: expected a map with id, key and secret, got a single value (line 2)");
    EXPECT_EQ(parseError(withServer("  port: [1, 2]\n")),
              "server.port: expected a single value, got a list (line 2)");
    EXPECT_EQ(parseError(withServer("  port:\n")), "server.port: missing value (line 2)");
    EXPECT_EQ(parseError(withApp("    allowed_origins: \"*\"\n")),
              "apps[0].allowed_origins: expected a list, got a single value (line 5)");
    EXPECT_EQ(parseError(withApp("    allowed_origins: [{a: 1}]\n")),
              "apps[0].allowed_origins[0]: expected a single value, got a map (line 5)");
    EXPECT_EQ(parseError("server:\n  scaling: {redis: []}\n" + std::string(kMinimalApp)),
              "server.scaling.redis: expected a map, got a list (line 2)");
}

TEST(ConfigErrors, UnknownAndDuplicateKeys) {
    EXPECT_EQ(parseError(withServer("  prot: 80\n")),
              "server.prot: unknown key (did you mean 'port'?) (line 2)");
    EXPECT_EQ(parseError(withApp("    activity_timout: 5\n")),
              "apps[0].activity_timout: unknown key (did you mean 'activity_timeout'?) (line 5)");
    EXPECT_EQ(parseError("servers: {}\n" + std::string(kMinimalApp)),
              "servers: unknown key (did you mean 'server'?) (line 1)");
    EXPECT_EQ(parseError("server:\n  scaling:\n    redis: {hots: x}\n" + std::string(kMinimalApp)),
              "server.scaling.redis.hots: unknown key (did you mean 'host'?) (line 3)");
    EXPECT_EQ(parseError(withServer("  color: blue\n")), "server.color: unknown key (line 2)");
    EXPECT_EQ(parseError(withServer("  port: 1\n  port: 2\n")), "server.port: duplicate key (line 3)");
}

TEST(ConfigErrors, OriginsMustBeHostNames) {
    EXPECT_EQ(parseError(withApp("    allowed_origins: [\"https://example.com\"]\n")),
              "apps[0].allowed_origins[0]: 'https://example.com' must be a host name such as example.com, "
              "without a scheme");
    EXPECT_EQ(parseError(withApp("    allowed_origins: []\n")), "apps[0].allowed_origins: must not be empty");
    EXPECT_EQ(parseError(kMinimalApp, {{"REVERB_APP_ALLOWED_ORIGINS", " , "}}),
              "REVERB_APP_ALLOWED_ORIGINS: must list at least one value");
    EXPECT_EQ(parseError(kMinimalApp, {{"REVERB_APP_ALLOWED_ORIGINS", ",,a"}}), "<no error>");
}

TEST(ConfigErrors, UnreadableFileNamesThePath) {
    const std::string missing = "/nonexistent/resound.yaml";
    try {
        loadConfigFile(missing, fakeEnv({}));
        FAIL() << "expected ConfigError";
    } catch (const ConfigError& error) {
        EXPECT_EQ(std::string(error.what()),
                  missing + ": cannot read config file: No such file or directory");
    }
    const std::string directory = std::filesystem::temp_directory_path().string();
    EXPECT_THROW(loadConfigFile(directory, fakeEnv({})), ConfigError);
}

TEST(ConfigErrors, SyntaxErrorInAFileNamesThePath) {
    const auto path = std::filesystem::temp_directory_path() / "resound-config-syntax-test.yaml";
    std::ofstream(path) << "apps:\n  - {id: a\n";
    try {
        loadConfigFile(path.string(), fakeEnv({}));
        ADD_FAILURE() << "expected ConfigError";
    } catch (const ConfigError& error) {
        EXPECT_EQ(std::string(error.what()).rfind(path.string() + ": YAML syntax error at line", 0), 0u)
            << error.what();
    }
    std::filesystem::remove(path);
}

TEST(ConfigErrors, ValidateChecksConfigsBuiltInCode) {
    Config config = defaultConfig(fakeEnv({}));
    config.apps[0].activityTimeoutSeconds = 0;
    EXPECT_THROW(validate(config), ConfigError);
    try {
        validate(config);
    } catch (const ConfigError& error) {
        EXPECT_EQ(std::string(error.what()), "apps[0].activity_timeout: 0 must be at least 1");
    }
    config = defaultConfig(fakeEnv({}));
    config.server.logLevel = "chatty";
    EXPECT_THROW(validate(config), ConfigError);
    config.server.logLevel = "INFO";
    EXPECT_THROW(validate(config), ConfigError) << "only the loader accepts other spellings";
    config = defaultConfig(fakeEnv({}));
    config.server.pathPrefix = "/ws/";
    EXPECT_THROW(validate(config), ConfigError);
    config = defaultConfig(fakeEnv({}));
    config.apps[0].maxMessageSize = static_cast<std::size_t>(-1);  // far beyond any representable limit
    EXPECT_NO_THROW(validate(config)) << "no upper limit on sizes";
    config.server.port = 0;
    EXPECT_THROW(validate(config), ConfigError);
}

}  // namespace
}  // namespace resound::config::test
