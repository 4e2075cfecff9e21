#pragma once
// Pusher channel authorization and user sign-in signatures (docs/protocol.md 1.6), and their
// verification for the WebSocket side. Pure functions, any thread.
#include <string>
#include <string_view>

namespace resound::crypto {

// The strings the app server signs.
std::string channelStringToSign(std::string_view socketId, std::string_view channel);  // "sid:channel"
std::string presenceStringToSign(std::string_view socketId, std::string_view channel,
                                 std::string_view channelData);  // "sid:channel:channel_data"
std::string userSigninStringToSign(std::string_view socketId,
                                   std::string_view userData);  // "sid::user::user_data"

// Lower-case hex HMAC-SHA256 of those strings (the part after "key:" in an auth string).
std::string channelSignature(std::string_view secret, std::string_view socketId, std::string_view channel);
std::string presenceSignature(std::string_view secret, std::string_view socketId, std::string_view channel,
                              std::string_view channelData);
std::string userSigninSignature(std::string_view secret, std::string_view socketId,
                                std::string_view userData);

// The key and secret an auth string is checked against (an app's, from config::AppConfig). Two views
// rather than the app's whole configuration, so crypto stays below config in the module layers.
struct AppCredentials {
    std::string_view key;
    std::string_view secret;
};

// Checks an auth string "<app key>:<hex signature>" against `app`: the key part must equal app.key
// AND the signature must be HMAC-SHA256(app.secret, stringToSign). Both halves are always compared,
// in constant time. channelData / userData must be the exact bytes the client sent.
bool verifyAuthString(std::string_view auth, AppCredentials app, std::string_view stringToSign);

}  // namespace resound::crypto
