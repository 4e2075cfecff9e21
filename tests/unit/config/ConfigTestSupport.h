#pragma once
// Helpers for the config tests: a fake environment and "the error message this input produces".
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "config/ConfigLoader.h"
#include "config/ConfigSchema.h"

namespace resound::config::test {

using Env = std::map<std::string, std::string>;

inline EnvLookup fakeEnv(Env values) {
    return [values = std::move(values)](const std::string& name) -> std::optional<std::string> {
        const auto it = values.find(name);
        return it == values.end() ? std::nullopt : std::optional<std::string>(it->second);
    };
}

inline const char* const kMinimalApp = "apps:\n  - {id: a1, key: k1, secret: s1}\n";

// The ConfigError message parseConfig gives, or a marker when it unexpectedly succeeds.
inline std::string parseError(const std::string& yaml, Env env = {}) {
    try {
        parseConfig(yaml, fakeEnv(std::move(env)));
    } catch (const ConfigError& error) {
        return error.what();
    }
    return "<no error>";
}

// Compares every option the schema knows, so a new field is covered without touching the tests.
template <class Owner>
void expectSameFields(std::span<const detail::FieldSpec<Owner>> fields, const Owner& a, const Owner& b) {
    for (const auto& field : fields) {
        std::visit([&](auto member) { EXPECT_TRUE(a.*member == b.*member) << "field " << field.key; },
                   field.member);
    }
}

inline void expectSameConfig(const Config& a, const Config& b) {
    expectSameFields(detail::serverFields(), a.server, b.server);
    expectSameFields(detail::scalingFields(), a.server, b.server);
    expectSameFields(detail::redisFields(), a.server.redis, b.server.redis);
    expectSameFields(detail::dashboardFields(), a.dashboard, b.dashboard);
    ASSERT_EQ(a.apps.size(), b.apps.size());
    for (std::size_t i = 0; i < a.apps.size(); ++i)
        expectSameFields(detail::appFields(), a.apps[i], b.apps[i]);
    EXPECT_EQ(a.usesDevelopmentCredentials, b.usesDevelopmentCredentials);
}

}  // namespace resound::config::test
