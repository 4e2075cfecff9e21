#include "config/EnvOverrides.h"

#include "config/ConfigSchema.h"
#include "config/WebhookConfig.h"

namespace resound::config::detail {
namespace {

constexpr std::string_view kCredentialVars[] = {"REVERB_APP_ID", "REVERB_APP_KEY", "REVERB_APP_SECRET"};

std::optional<std::string> lookup(const EnvLookup& env, std::string_view name) {
    std::optional<std::string> value = env(std::string(name));
    if (!value) return std::nullopt;
    const std::string_view trimmed = trim(*value);
    if (trimmed.empty()) return std::nullopt;
    return std::string(trimmed);
}

template <class Owner>
void applyFields(std::span<const FieldSpec<Owner>> fields, Owner& object, const EnvLookup& env) {
    for (const auto& field : fields) {
        if (field.envVar.empty()) continue;
        if (const auto value = lookup(env, field.envVar)) assignFromText(field, object, field.envVar, *value);
    }
}

// RESOUND_APP_WEBHOOK_* describe the first app's first webhook target, creating it when the app
// has none (then the URL and the event list are both required).
void applyWebhookTarget(AppConfig& app, const EnvLookup& env) {
    bool any = false;
    for (const auto& field : webhookTargetFields()) any = any || lookup(env, field.envVar).has_value();
    if (!any) return;
    if (app.webhooks.empty()) {
        for (const std::string_view name : {"RESOUND_APP_WEBHOOK_URL", "RESOUND_APP_WEBHOOK_EVENTS"}) {
            if (!lookup(env, name)) {
                failField(name,
                          "missing (RESOUND_APP_WEBHOOK_URL and RESOUND_APP_WEBHOOK_EVENTS together define a "
                          "webhook target when the app has none)");
            }
        }
        app.webhooks.emplace_back();
    }
    applyFields(webhookTargetFields(), app.webhooks.front(), env);
}

}  // namespace

bool envDefinesApp(const EnvLookup& env) {
    for (const std::string_view name : kCredentialVars) {
        if (lookup(env, name)) return true;
    }
    return false;
}

void applyEnvironment(Config& config, const EnvLookup& env) {
    applyFields(serverFields(), config.server, env);
    applyFields(scalingFields(), config.server, env);
    applyFields(redisFields(), config.server.redis, env);
    applyFields(dashboardFields(), config.dashboard, env);

    if (config.apps.empty()) {
        if (!envDefinesApp(env)) return;
        for (const std::string_view name : kCredentialVars) {
            if (!lookup(env, name)) {
                failField(name,
                          "missing (REVERB_APP_ID, REVERB_APP_KEY and REVERB_APP_SECRET together define "
                          "the app when the config has none)");
            }
        }
        config.apps.emplace_back();
    }
    applyFields(appFields(), config.apps.front(), env);
    applyWebhookTarget(config.apps.front(), env);
}

}  // namespace resound::config::detail
