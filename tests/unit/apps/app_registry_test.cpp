#include <gtest/gtest.h>

#include "apps/AppRegistry.h"

using resound::apps::AppRegistry;
using resound::config::AppConfig;

namespace {
AppConfig app(std::string id, std::string key) {
    AppConfig a;
    a.id = std::move(id);
    a.key = std::move(key);
    a.secret = "s";
    return a;
}
}  // namespace

TEST(AppRegistry, FindsAppsByIdAndKey) {
    AppRegistry registry({app("1", "k1"), app("2", "k2")});
    ASSERT_NE(registry.byId("2"), nullptr);
    EXPECT_EQ(registry.byId("2")->key, "k2");
    ASSERT_NE(registry.byKey("k1"), nullptr);
    EXPECT_EQ(registry.byKey("k1")->id, "1");
    EXPECT_EQ(registry.byId("3"), nullptr);
    EXPECT_EQ(registry.byKey("k3"), nullptr);
    EXPECT_EQ(registry.all().size(), 2u);
}

TEST(AppRegistry, SurvivesBeingMoved) {
    AppRegistry registry({app("1", "k1")});
    AppRegistry moved = std::move(registry);
    ASSERT_NE(moved.byKey("k1"), nullptr);
    EXPECT_EQ(moved.byKey("k1")->id, "1");
}
