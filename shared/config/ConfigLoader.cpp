#include "config/ConfigLoader.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "config/EnvOverrides.h"
#include "config/YamlConfigReader.h"

namespace resound::config {
namespace {

// "ws", "/ws/" and "/ws" all mean the same prefix; store the one form the router expects ("" or "/ws").
void normalizePathPrefix(std::string& prefix) {
    while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
    if (!prefix.empty() && prefix.front() != '/') prefix.insert(prefix.begin(), '/');
}

Config finish(Config config) {
    normalizePathPrefix(config.server.pathPrefix);
    config.usesDevelopmentCredentials = false;
    for (const AppConfig& app : config.apps) {
        if (app.secret == kDevelopmentAppSecret) config.usesDevelopmentCredentials = true;
    }
    validate(config);
    return config;
}

Config parseText(const std::string& yamlText, std::string_view source, const EnvLookup& env) {
    Config config = detail::readYamlConfig(yamlText, source);
    detail::applyEnvironment(config, env);
    return finish(std::move(config));
}

}  // namespace

EnvLookup processEnvironment() {
    return [](const std::string& name) -> std::optional<std::string> {
        const char* value = std::getenv(name.c_str());
        return value ? std::optional<std::string>(value) : std::nullopt;
    };
}

Config parseConfig(const std::string& yamlText, const EnvLookup& env) {
    return parseText(yamlText, "config", env);
}

Config loadConfigFile(const std::string& path, const EnvLookup& env) {
    std::error_code ignored;
    if (std::filesystem::is_directory(path, ignored))
        throw ConfigError(path + ": is a directory, not a config file");
    std::ifstream file(path, std::ios::binary);
    if (!file) throw ConfigError(path + ": cannot read config file: " + std::strerror(errno));
    std::ostringstream text;
    text << file.rdbuf();
    if (file.bad()) throw ConfigError(path + ": cannot read config file: " + std::strerror(errno));
    return parseText(text.str(), path, env);
}

Config defaultConfig(const EnvLookup& env) {
    Config config;
    // Without credentials in the environment the server still starts, with a well-known app that
    // Config::usesDevelopmentCredentials flags so the server can warn about it.
    if (!detail::envDefinesApp(env)) {
        AppConfig app;
        app.id = kDevelopmentAppId;
        app.key = kDevelopmentAppKey;
        app.secret = kDevelopmentAppSecret;
        config.apps.push_back(std::move(app));
    }
    detail::applyEnvironment(config, env);
    return finish(std::move(config));
}

}  // namespace resound::config
