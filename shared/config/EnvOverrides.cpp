#include "config/EnvOverrides.h"

#include "config/ConfigSchema.h"

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
}

}  // namespace resound::config::detail
