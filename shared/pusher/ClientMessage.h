#pragma once
// Parsing of client -> server Pusher messages (`{"event","channel"?,"data"?}`). Socket-free; any thread.
#include <optional>
#include <string>
#include <string_view>

namespace resound::pusher {

struct ClientMessage {
    std::string event;
    std::string channel;   // top level (client events)
    std::string dataJson;  // `data` re-serialised as JSON ("" when absent), relayed by client events
    // Fields read from `data` when it is an object (or a string holding a JSON object, which some
    // client libraries send): only string values count, since signatures cover their exact text.
    std::string dataChannel;
    std::string auth;
    std::string channelData;
    std::string userData;
};

struct ParseResult {
    std::optional<ClientMessage> message;
    std::string error;  // why it was rejected, when message is empty
};

ParseResult parseClientMessage(std::string_view text);

// The pieces of presence channel_data (`{"user_id": <string|number>, "user_info": <any>}`).
struct PresenceData {
    std::string userKey;   // user_id as text, the identity
    std::string idJson;    // user_id as JSON, as sent
    std::string infoJson;  // user_info as JSON, "null" when absent
};
// nullopt with `error` set when channel_data is not an object with a usable user_id.
std::optional<PresenceData> parsePresenceData(std::string_view channelData, std::string& error);

// The `id` of pusher:signin user_data; nullopt when missing or not a non-empty string.
std::optional<std::string> parseSigninUserId(std::string_view userData, std::string& error);

}  // namespace resound::pusher
