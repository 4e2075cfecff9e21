#pragma once
// The JSON bodies an app server's auth endpoint returns to pusher-js (docs/protocol.md 1.6), built here from
// a verified token instead of a PHP round trip. Pure functions, any thread.
#include <optional>
#include <string>
#include <string_view>

#include "config/Config.h"

namespace resound::auth {

// {"user_id":"<id>","user_info":{...}}: presence channel_data (user_info only when given).
std::string presenceChannelData(std::string_view userId, const std::optional<std::string>& userInfoJson);
// {"id":"<id>","user_info":{...}}: sign-in user_data.
std::string signinUserData(std::string_view userId, const std::optional<std::string>& userInfoJson);

// base64(SHA-256(channel || masterKey)): the per-channel key of private-encrypted- channels, as the
// Pusher server SDKs derive it. `masterKey` is the 32 raw bytes, not their base64.
std::string encryptedChannelSharedSecret(std::string_view channel, std::string_view masterKey);

// {"auth":"key:sig"} for private- channels.
std::string privateChannelAuthBody(const config::AppConfig& app, std::string_view socketId,
                                   std::string_view channel);
// {"auth":"key:sig","channel_data":"..."} for presence- channels; the signature covers channel_data.
std::string presenceChannelAuthBody(const config::AppConfig& app, std::string_view socketId,
                                    std::string_view channel, std::string_view channelData);
// {"auth":"key:sig","shared_secret":"..."} for private-encrypted- channels.
std::string encryptedChannelAuthBody(const config::AppConfig& app, std::string_view socketId,
                                     std::string_view channel, std::string_view masterKey);
// {"auth":"key:sig","user_data":"..."} for pusher:signin.
std::string signinAuthBody(const config::AppConfig& app, std::string_view socketId,
                           std::string_view userData);

}  // namespace resound::auth
