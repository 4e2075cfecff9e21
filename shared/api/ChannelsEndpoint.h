#pragma once
// The read-only channel queries: GET /apps/{id}/channels, /channels/{name} and
// /channels/{name}/users. Answers come from the cluster's state, so they are cluster-wide: read at once
// from ClusterState, or through the loop's ClusterReads and answered later (nullopt; see StateRead.h).
#include <string>

#include "api/ApiContext.h"
#include "api/ApiResponse.h"

namespace resound::api {

// Occupied channels, optionally filter_by_prefix; info=user_count (only with a presence- prefix,
// else 400) and/or subscription_count. {"channels":{"<name>":{attributes},...}}
std::optional<ApiResponse> listChannels(const ApiContext& context);

// {"occupied":bool, ...}: info=user_count (presence channels only, else 400), subscription_count,
// cache (cache channels only, else 400) -> "cache":{"event","data","ttl"} or null.
std::optional<ApiResponse> channelInfo(const ApiContext& context, const std::string& channel);

// {"users":[{"id":"<user id>"},...]}, distinct users, ids as strings; 400 for non-presence channels.
std::optional<ApiResponse> channelUsers(const ApiContext& context, const std::string& channel);

}  // namespace resound::api
