#pragma once
// Turns one API event into what subscribers receive: the message JSON built once per channel, the
// WebSocket text frame encoded once, stored first for cache channels, then handed to the bus.
// Any thread (ClusterState and Bus are thread-safe).
#include <string>
#include <string_view>

#include "api/LoopBackend.h"
#include "bus/Bus.h"
#include "config/Config.h"
#include "state/ClusterState.h"

namespace resound::api {

// The parts of an event that are the same on every channel it goes to, quoted once: an event for
// 100 channels escapes its (possibly large) data once, not 100 times.
struct QuotedEvent {
    std::string name;  // JSON string literal, quotes included
    std::string data;  // JSON string literal of the data (Pusher's framing rule: data is a string)
};
QuotedEvent quoteEvent(std::string_view event, std::string_view data);

// {"event":NAME,"channel":CHANNEL,"data":DATA}
std::string eventMessageJson(const QuotedEvent& event, std::string_view channel);
std::string eventMessageJson(std::string_view event, std::string_view channel, std::string_view data);

// The message for one channel (frame encoded once) and, for cache channels, what to store first with
// the app's TTL. What publishEvent() publishes, and what a LoopBackend is handed.
PublishStep prepareEvent(const config::AppConfig& app, const QuotedEvent& event, const std::string& channel,
                         std::string_view exceptSocketId);

// Publishes one event to one channel, excluding `exceptSocketId` (empty: nobody). For cache
// channels the message is stored with the app's TTL before publishing. Returns false if the bus
// could not take the message: the caller must not report success.
bool publishEvent(const config::AppConfig& app, state::ClusterState& state, bus::Bus& bus,
                  const QuotedEvent& event, const std::string& channel, std::string_view exceptSocketId);

}  // namespace resound::api
