#pragma once
// The tables of every scalar option: YAML key, env variable, range. config/resound.yaml documents the
// same options for users; keep the two in step (ConfigLoaderTest parses that file).
#include <span>

#include "config/FieldSpec.h"

namespace resound::config::detail {

std::span<const FieldSpec<ServerConfig>> serverFields();        // server.*
std::span<const FieldSpec<ServerConfig>> scalingFields();       // server.scaling.* (without redis)
std::span<const FieldSpec<RedisConfig>> redisFields();          // server.scaling.redis.*
std::span<const FieldSpec<AppConfig>> appFields();              // apps[i].*
std::span<const FieldSpec<DashboardConfig>> dashboardFields();  // dashboard.*

}  // namespace resound::config::detail
