#pragma once
// Builds the validated Config at start-up from a YAML file (or built-in defaults) plus environment
// overrides that use Laravel Reverb's variable names, so an existing Reverb .env keeps working.
// Start-up only (main thread); every failure is a ConfigError whose message is one line naming the
// offending field or environment variable. The options are listed in config/resound.yaml.
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "config/Config.h"

namespace resound::config {

class ConfigError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// Returns the value of an environment variable, nullopt when unset. Injected so tests need no setenv.
// An empty value counts as unset: a blank "REVERB_APP_MAX_CONNECTIONS=" line in a .env changes nothing.
using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;

// The well-known app defaultConfig() falls back to; any app using kDevelopmentAppSecret sets
// Config::usesDevelopmentCredentials.
inline constexpr std::string_view kDevelopmentAppId = "resound";
inline constexpr std::string_view kDevelopmentAppKey = "resound-key";
inline constexpr std::string_view kDevelopmentAppSecret = "resound-secret";

EnvLookup processEnvironment();

// YAML text, then env overrides, then validate(). The YAML must define at least one app unless
// REVERB_APP_ID, REVERB_APP_KEY and REVERB_APP_SECRET are all set (they then create it).
Config parseConfig(const std::string& yamlText, const EnvLookup& env);

// As parseConfig; an unreadable file is a ConfigError naming the path, syntax errors name path:line.
Config loadConfigFile(const std::string& path, const EnvLookup& env);

// No file: built-in defaults plus env. Without REVERB_APP_ID/KEY/SECRET the single app is the
// development app (kDevelopmentApp*), flagged by Config::usesDevelopmentCredentials.
Config defaultConfig(const EnvLookup& env);

// Range and consistency checks (also for a Config built in code). Throws ConfigError.
void validate(const Config& config);

// One line for the start-up log: listen address, threads, scaling, app ids. Never secrets or passwords.
std::string describe(const Config& config);

}  // namespace resound::config
