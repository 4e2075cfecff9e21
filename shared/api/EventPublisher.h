#pragma once
// Turns one API event into what subscribers receive: the message JSON built once per channel, the
// WebSocket text frame encoded once, stored first for cache channels, then handed to the bus.
// Any thread (ClusterState and Bus are thread-safe).
#include <string>
#include <string_view>

#include "bus/Bus.h"
#include "config/Config.h"
#include "state/ClusterState.h"

namespace resound::api {

// {"event":NAME,"channel":CHANNEL,"data":DATA} with DATA as a JSON string (Pusher's framing rule).
std::string eventMessageJson(std::string_view event, std::string_view channel, std::string_view data);

// Publishes one event to one channel, excluding `exceptSocketId` (empty: nobody). For cache
// channels the message is stored with the app's TTL before publishing. Returns false if the bus
// could not take the message: the caller must not report success.
bool publishEvent(const config::AppConfig& app, state::ClusterState& state, bus::Bus& bus,
                  std::string_view event, const std::string& channel, std::string_view data,
                  std::string_view exceptSocketId);

}  // namespace resound::api
