#include "auth/AuthPayload.h"

#include "crypto/Base64.h"
#include "crypto/ChannelAuth.h"
#include "crypto/Digest.h"
#include "json/JsonText.h"

namespace resound::auth {
namespace {

std::string userObject(std::string_view idKey, std::string_view userId,
                       const std::optional<std::string>& userInfoJson) {
    std::string out = "{";
    json::appendQuoted(out, idKey);
    out += ':';
    json::appendQuoted(out, userId);
    if (userInfoJson) {
        out += ",\"user_info\":";
        out += *userInfoJson;
    }
    out += '}';
    return out;
}

std::string authString(const config::AppConfig& app, const std::string& signature) {
    return app.key + ":" + signature;
}

// {"auth":"<auth>"[,"<extraName>":"<extraValue>"]}
std::string body(const std::string& auth, std::string_view extraName = {}, std::string_view extraValue = {}) {
    std::string out = "{\"auth\":";
    json::appendQuoted(out, auth);
    if (!extraName.empty()) {
        out += ',';
        json::appendQuoted(out, extraName);
        out += ':';
        json::appendQuoted(out, extraValue);
    }
    out += '}';
    return out;
}

}  // namespace

std::string presenceChannelData(std::string_view userId, const std::optional<std::string>& userInfoJson) {
    return userObject("user_id", userId, userInfoJson);
}

std::string signinUserData(std::string_view userId, const std::optional<std::string>& userInfoJson) {
    return userObject("id", userId, userInfoJson);
}

std::string encryptedChannelSharedSecret(std::string_view channel, std::string_view masterKey) {
    std::string input(channel);
    input.append(masterKey);
    return crypto::base64Encode(crypto::sha256(input));
}

std::string privateChannelAuthBody(const config::AppConfig& app, std::string_view socketId,
                                   std::string_view channel) {
    return body(authString(app, crypto::channelSignature(app.secret, socketId, channel)));
}

std::string presenceChannelAuthBody(const config::AppConfig& app, std::string_view socketId,
                                    std::string_view channel, std::string_view channelData) {
    return body(authString(app, crypto::presenceSignature(app.secret, socketId, channel, channelData)),
                "channel_data", channelData);
}

std::string encryptedChannelAuthBody(const config::AppConfig& app, std::string_view socketId,
                                     std::string_view channel, std::string_view masterKey) {
    return body(authString(app, crypto::channelSignature(app.secret, socketId, channel)), "shared_secret",
                encryptedChannelSharedSecret(channel, masterKey));
}

std::string signinAuthBody(const config::AppConfig& app, std::string_view socketId,
                           std::string_view userData) {
    return body(authString(app, crypto::userSigninSignature(app.secret, socketId, userData)), "user_data",
                userData);
}

}  // namespace resound::auth
