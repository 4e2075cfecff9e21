#pragma once
// The read-only channel queries: GET /apps/{id}/channels, /channels/{name} and
// /channels/{name}/users. Answers come from ClusterState, so they are cluster-wide.
#include <string>

#include "api/ApiContext.h"
#include "api/ApiResponse.h"

namespace resound::api {

// Occupied channels, optionally filter_by_prefix; info=user_count (only with a presence- prefix,
// else 400) and/or subscription_count. {"channels":{"<name>":{attributes},...}}
ApiResponse listChannels(const ApiContext& context);

// {"occupied":bool, ...}: info=user_count (presence channels only, else 400), subscription_count,
// cache (cache channels only, else 400) -> "cache":{"event","data","ttl"} or null.
ApiResponse channelInfo(const ApiContext& context, const std::string& channel);

// {"users":[{"id":"<user id>"},...]}, distinct users, ids as strings; 400 for non-presence channels.
ApiResponse channelUsers(const ApiContext& context, const std::string& channel);

}  // namespace resound::api
