#include "apps/AppRegistry.h"

namespace resound::apps {

AppRegistry::AppRegistry(std::vector<config::AppConfig> apps) : apps_(std::move(apps)) {
    // The maps hold views into apps_, which never changes size after this point.
    for (const auto& app : apps_) {
        byId_.emplace(app.id, &app);
        byKey_.emplace(app.key, &app);
    }
}

const config::AppConfig* AppRegistry::byId(std::string_view id) const {
    auto it = byId_.find(id);
    return it == byId_.end() ? nullptr : it->second;
}

const config::AppConfig* AppRegistry::byKey(std::string_view key) const {
    auto it = byKey_.find(key);
    return it == byKey_.end() ? nullptr : it->second;
}

}  // namespace resound::apps
