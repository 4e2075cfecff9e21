#pragma once
// The configured applications, looked up by id (HTTP API) and by key (WebSocket path, auth strings).
// Immutable after construction; any thread may read it.
#include <string_view>
#include <unordered_map>
#include <vector>

#include "config/Config.h"

namespace resound::apps {

class AppRegistry {
  public:
    explicit AppRegistry(std::vector<config::AppConfig> apps);

    const config::AppConfig* byId(std::string_view id) const;
    const config::AppConfig* byKey(std::string_view key) const;
    const std::vector<config::AppConfig>& all() const { return apps_; }

  private:
    std::vector<config::AppConfig> apps_;
    std::unordered_map<std::string_view, const config::AppConfig*> byId_;
    std::unordered_map<std::string_view, const config::AppConfig*> byKey_;
};

}  // namespace resound::apps
