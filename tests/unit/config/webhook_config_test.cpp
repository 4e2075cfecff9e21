// apps[].webhooks, the webhook_* app options and the RESOUND_APP_WEBHOOK_* shortcut.
#include "ConfigTestSupport.h"
#include "config/WebhookConfig.h"

namespace resound::config::test {
namespace {

std::string withWebhooks(const std::string& webhooksYaml) {
    return "apps:\n  - id: a1\n    key: k1\n    secret: s1\n    webhooks:\n" + webhooksYaml;
}

TEST(WebhookConfig, DefaultsHaveNoTargetsAndPusherTimings) {
    const Config config = parseConfig(kMinimalApp, fakeEnv({}));
    const AppConfig& app = config.apps.at(0);
    EXPECT_TRUE(app.webhooks.empty());
    EXPECT_EQ(app.webhookGraceMs, 3000);
    EXPECT_EQ(app.webhookRetryWindowMs, 300000);
    EXPECT_EQ(app.webhookQueueLimit, 10000u);
}

TEST(WebhookConfig, FullTargetMapsEveryKey) {
    const Config config = parseConfig(withWebhooks(R"(      - url: https://hooks.example.com/pusher
        event_types: [channel_occupied, channel_vacated, member_added]
        filter: {channel_name_starts_with: presence-, channel_name_ends_with: .room}
        headers: {Authorization: Bearer abc, X-Env: prod}
        batch_ms: 250
      - url: http://127.0.0.1:9000/hook
        event_types: [client_event]
    webhook_grace_ms: 0
    webhook_retry_window_ms: 2000
    webhook_queue_limit: 5
)"),
                                      fakeEnv({}));
    const AppConfig& app = config.apps.at(0);
    ASSERT_EQ(app.webhooks.size(), 2u);
    const WebhookTarget& t = app.webhooks[0];
    EXPECT_EQ(t.url, "https://hooks.example.com/pusher");
    EXPECT_EQ(t.eventTypes,
              (std::vector<std::string>{"channel_occupied", "channel_vacated", "member_added"}));
    EXPECT_EQ(t.filter.channelNameStartsWith, "presence-");
    EXPECT_EQ(t.filter.channelNameEndsWith, ".room");
    EXPECT_EQ(t.headers, (std::vector<std::pair<std::string, std::string>>{{"Authorization", "Bearer abc"},
                                                                           {"X-Env", "prod"}}));
    EXPECT_EQ(t.batchMs, 250);
    EXPECT_EQ(app.webhooks[1].url, "http://127.0.0.1:9000/hook");
    EXPECT_EQ(app.webhooks[1].batchMs, 0);
    EXPECT_TRUE(app.webhooks[1].headers.empty());
    EXPECT_EQ(app.webhookGraceMs, 0);
    EXPECT_EQ(app.webhookRetryWindowMs, 2000);
    EXPECT_EQ(app.webhookQueueLimit, 5u);
}

TEST(WebhookConfig, EveryPusherEventTypeIsAccepted) {
    std::string list;
    for (const std::string_view type : kWebhookEventTypes)
        list += (list.empty() ? "" : ", ") + std::string(type);
    const Config config =
        parseConfig(withWebhooks("      - {url: http://h/x, event_types: [" + list + "]}\n"), fakeEnv({}));
    EXPECT_EQ(config.apps[0].webhooks[0].eventTypes.size(), 7u);
}

TEST(WebhookConfig, RejectsBadTargets) {
    EXPECT_EQ(parseError(withWebhooks("      - {event_types: [cache_miss]}\n")),
              "apps[0].webhooks[0].url: missing");
    EXPECT_EQ(parseError(withWebhooks("      - {url: http://h/x}\n")),
              "apps[0].webhooks[0].event_types: must not be empty");
    EXPECT_EQ(parseError(withWebhooks("      - {url: ftp://h/x, event_types: [cache_miss]}\n")),
              "apps[0].webhooks[0].url: 'ftp://h/x' must start with http:// or https://");
    EXPECT_EQ(parseError(withWebhooks("      - {url: example.com/hook, event_types: [cache_miss]}\n")),
              "apps[0].webhooks[0].url: 'example.com/hook' must start with http:// or https://");
    EXPECT_EQ(parseError(withWebhooks("      - {url: \"https:///x\", event_types: [cache_miss]}\n")),
              "apps[0].webhooks[0].url: 'https:///x' has no host");
    EXPECT_EQ(
        parseError(withWebhooks("      - {url: http://h/x, event_types: [channel_occupied, user_joined]}\n")),
        "apps[0].webhooks[0].event_types[1]: 'user_joined' is not an event type (one of channel_occupied, "
        "channel_vacated, member_added, member_removed, client_event, cache_miss, subscription_count)");
    EXPECT_EQ(parseError(withWebhooks("      - {url: http://h/x, event_types: [cache_miss, cache_miss]}\n")),
              "apps[0].webhooks[0].event_types[1]: 'cache_miss' is listed twice");
    EXPECT_EQ(
        parseError(withWebhooks("      - {url: http://h/x, event_types: [cache_miss], batch_ms: 60001}\n")),
        "apps[0].webhooks[0].batch_ms: 60001 is out of range 0-60000 (line 6)");
    EXPECT_EQ(parseError(withWebhooks("      - {url: http://h/x, event_types: [cache_miss], retries: 3}\n")),
              "apps[0].webhooks[0].retries: unknown key (line 6)");
    EXPECT_EQ(
        parseError(withWebhooks(
            "      - {url: http://h/x, event_types: [cache_miss], filter: {channel_name_start_with: a}}\n")),
        "apps[0].webhooks[0].filter.channel_name_start_with: unknown key (did you mean "
        "'channel_name_starts_with'?) (line 6)");
    EXPECT_EQ(parseError(withWebhooks("      - http://h/x\n")),
              "apps[0].webhooks[0]: expected a map with url and event_types, got a single value (line 6)");
    EXPECT_EQ(parseError(withWebhooks("      url: http://h/x\n")),
              "apps[0].webhooks: expected a list of webhook targets, got a map (line 6)");
}

TEST(WebhookConfig, RejectsHeadersThatWouldBreakTheRequestOrTheSignature) {
    const std::string target =
        "      - url: http://h/x\n        event_types: [cache_miss]\n        headers: ";
    EXPECT_EQ(
        parseError(withWebhooks(target + "{X-Pusher-Signature: forged}\n")),
        "apps[0].webhooks[0].headers.X-Pusher-Signature: set by Resound itself and cannot be configured");
    EXPECT_EQ(parseError(withWebhooks(target + "{content-type: text/plain}\n")),
              "apps[0].webhooks[0].headers.content-type: set by Resound itself and cannot be configured");
    EXPECT_EQ(parseError(withWebhooks(target + "{\"Bad Name\": x}\n")),
              "apps[0].webhooks[0].headers.Bad Name: not a valid header name");
    EXPECT_EQ(parseError(withWebhooks(target + "{X-A: \"one\\r\\nX-B: two\"}\n")),
              "apps[0].webhooks[0].headers.X-A: the value must be one line");
    EXPECT_EQ(parseError(withWebhooks(target + "[a, b]\n")),
              "apps[0].webhooks[0].headers: expected a map of header names to values, got a list (line 8)");
    EXPECT_EQ(parseError(withWebhooks(target + "{X-A: [1]}\n")),
              "apps[0].webhooks[0].headers.X-A: expected a single value, got a list (line 8)");
}

TEST(WebhookConfig, RejectsOutOfRangeAppOptions) {
    const std::string app = "apps:\n  - id: a1\n    key: k1\n    secret: s1\n";
    EXPECT_EQ(parseError(app + "    webhook_grace_ms: 60001\n"),
              "apps[0].webhook_grace_ms: 60001 is out of range 0-60000 (line 5)");
    EXPECT_EQ(parseError(app + "    webhook_retry_window_ms: -1\n"),
              "apps[0].webhook_retry_window_ms: -1 is out of range 0-86400000 (line 5)");
    EXPECT_EQ(parseError(app + "    webhook_queue_limit: 0\n"),
              "apps[0].webhook_queue_limit: 0 must be at least 1 (line 5)");
}

TEST(WebhookConfig, EnvCreatesTheFirstTargetOfTheFirstApp) {
    const Config config =
        parseConfig(std::string(kMinimalApp) + "  - {id: a2, key: k2, secret: s2}\n",
                    fakeEnv({{"RESOUND_APP_WEBHOOK_URL", " http://127.0.0.1:8000/hooks "},
                             {"RESOUND_APP_WEBHOOK_EVENTS", "channel_occupied, channel_vacated"},
                             {"RESOUND_APP_WEBHOOK_BATCH_MS", "50"},
                             {"RESOUND_APP_WEBHOOK_GRACE_MS", "1000"},
                             {"RESOUND_APP_WEBHOOK_RETRY_WINDOW_MS", "60000"}}));
    const AppConfig& app = config.apps.at(0);
    ASSERT_EQ(app.webhooks.size(), 1u);
    EXPECT_EQ(app.webhooks[0].url, "http://127.0.0.1:8000/hooks");
    EXPECT_EQ(app.webhooks[0].eventTypes, (std::vector<std::string>{"channel_occupied", "channel_vacated"}));
    EXPECT_EQ(app.webhooks[0].batchMs, 50);
    EXPECT_EQ(app.webhookGraceMs, 1000);
    EXPECT_EQ(app.webhookRetryWindowMs, 60000);
    EXPECT_TRUE(config.apps.at(1).webhooks.empty());
}

TEST(WebhookConfig, EnvOverridesTheFirstTargetFromTheFile) {
    const Config config = parseConfig(
        withWebhooks("      - {url: http://file/a, event_types: [cache_miss], headers: {X-A: b}}\n"
                     "      - {url: http://file/b, event_types: [cache_miss]}\n"),
        fakeEnv({{"RESOUND_APP_WEBHOOK_EVENTS", "member_added,member_removed"}}));
    const AppConfig& app = config.apps.at(0);
    ASSERT_EQ(app.webhooks.size(), 2u);
    EXPECT_EQ(app.webhooks[0].url, "http://file/a");
    EXPECT_EQ(app.webhooks[0].eventTypes, (std::vector<std::string>{"member_added", "member_removed"}));
    EXPECT_EQ(app.webhooks[0].headers.size(), 1u);
    EXPECT_EQ(app.webhooks[1].eventTypes, (std::vector<std::string>{"cache_miss"}));
}

TEST(WebhookConfig, EnvTargetNeedsUrlAndEventsAndIsValidated) {
    EXPECT_EQ(parseError(kMinimalApp, {{"RESOUND_APP_WEBHOOK_URL", "http://h/x"}}),
              "RESOUND_APP_WEBHOOK_EVENTS: missing (RESOUND_APP_WEBHOOK_URL and RESOUND_APP_WEBHOOK_EVENTS "
              "together define a webhook target when the app has none)");
    EXPECT_EQ(parseError(kMinimalApp, {{"RESOUND_APP_WEBHOOK_BATCH_MS", "10"}})
                  .rfind("RESOUND_APP_WEBHOOK_URL: missing", 0),
              0u);
    EXPECT_EQ(parseError(kMinimalApp,
                         {{"RESOUND_APP_WEBHOOK_URL", "h/x"}, {"RESOUND_APP_WEBHOOK_EVENTS", "cache_miss"}}),
              "apps[0].webhooks[0].url: 'h/x' must start with http:// or https://");
    EXPECT_EQ(parseError(kMinimalApp,
                         {{"RESOUND_APP_WEBHOOK_URL", "http://h/x"}, {"RESOUND_APP_WEBHOOK_EVENTS", "nope"}}),
              "apps[0].webhooks[0].event_types[0]: 'nope' is not an event type (one of channel_occupied, "
              "channel_vacated, member_added, member_removed, client_event, cache_miss, subscription_count)");
    EXPECT_EQ(parseError(kMinimalApp, {{"RESOUND_APP_WEBHOOK_GRACE_MS", "x"}}),
              "RESOUND_APP_WEBHOOK_GRACE_MS: 'x' is not a number");
}

TEST(WebhookConfig, ValidateChecksTargetsBuiltInCode) {
    Config config = parseConfig(kMinimalApp, fakeEnv({}));
    WebhookTarget target;
    target.url = "http://h/x";
    target.eventTypes = {"channel_occupied"};
    config.apps[0].webhooks.push_back(target);
    EXPECT_NO_THROW(validate(config));
    config.apps[0].webhooks[0].batchMs = -1;
    EXPECT_THROW(validate(config), ConfigError);
}

}  // namespace
}  // namespace resound::config::test
