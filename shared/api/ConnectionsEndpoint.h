#pragma once
// Connection-level endpoints: POST /apps/{id}/users/{user_id}/terminate_connections (Pusher) and
// GET /apps/{id}/connections (Reverb's extra, used by its Pulse card).
#include <string>

#include "api/ApiContext.h"
#include "api/ApiResponse.h"

namespace resound::api {

// Publishes BusMessage::Kind::TerminateUser so every process closes that user's connections;
// {} even when the user has none; 503 if the bus refuses. Through the loop's backend when the request
// has one (answered later), else on the bus at once.
std::optional<ApiResponse> terminateUserConnections(const ApiContext& context, const std::string& userId);

// {"connections":N}: the app's open WebSocket connections, cluster-wide (read as StateRead.h says).
std::optional<ApiResponse> connectionCount(const ApiContext& context);

}  // namespace resound::api
