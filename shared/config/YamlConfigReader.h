#pragma once
// Turns YAML text into a Config: types, ranges, unknown and duplicate keys are checked here so errors
// can carry a line number. Cross-field rules are left to validate(). Start-up only.
#include <string>
#include <string_view>

#include "config/Config.h"

namespace resound::config::detail {

// `source` names the text in syntax errors ("config" or the file path). Missing sections keep defaults.
Config readYamlConfig(const std::string& yamlText, std::string_view source);

}  // namespace resound::config::detail
