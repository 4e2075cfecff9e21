#include "crypto/ChannelAuth.h"

#include "crypto/ConstantTime.h"
#include "crypto/Digest.h"

namespace resound::crypto {

std::string channelStringToSign(std::string_view socketId, std::string_view channel) {
    std::string out;
    out.reserve(socketId.size() + 1 + channel.size());
    out.append(socketId).append(1, ':').append(channel);
    return out;
}

std::string presenceStringToSign(std::string_view socketId, std::string_view channel,
                                 std::string_view channelData) {
    std::string out;
    out.reserve(socketId.size() + channel.size() + channelData.size() + 2);
    out.append(socketId).append(1, ':').append(channel).append(1, ':').append(channelData);
    return out;
}

std::string userSigninStringToSign(std::string_view socketId, std::string_view userData) {
    std::string out;
    out.reserve(socketId.size() + 8 + userData.size());
    out.append(socketId).append("::user::").append(userData);
    return out;
}

std::string channelSignature(std::string_view secret, std::string_view socketId, std::string_view channel) {
    return hmacSha256Hex(secret, channelStringToSign(socketId, channel));
}

std::string presenceSignature(std::string_view secret, std::string_view socketId, std::string_view channel,
                              std::string_view channelData) {
    return hmacSha256Hex(secret, presenceStringToSign(socketId, channel, channelData));
}

std::string userSigninSignature(std::string_view secret, std::string_view socketId,
                                std::string_view userData) {
    return hmacSha256Hex(secret, userSigninStringToSign(socketId, userData));
}

bool verifyAuthString(std::string_view auth, AppCredentials app, std::string_view stringToSign) {
    const std::size_t colon = auth.find(':');
    // Without a colon the whole string is treated as the key and the signature as empty, so the
    // same comparisons run and fail.
    const std::string_view key = auth.substr(0, colon);
    const std::string_view signature =
        colon == std::string_view::npos ? std::string_view{} : auth.substr(colon + 1);

    const Sha256Digest mac = hmacSha256(app.secret, stringToSign);
    char expected[64];
    static constexpr char kHex[] = "0123456789abcdef";
    for (std::size_t i = 0; i < mac.size(); ++i) {
        expected[2 * i] = kHex[mac[i] >> 4];
        expected[2 * i + 1] = kHex[mac[i] & 0x0F];
    }
    // Non-short-circuiting '&' so a wrong key costs the same as a wrong signature.
    const bool keyOk = constantTimeEquals(key, app.key);
    const bool signatureOk = constantTimeEquals(signature, std::string_view(expected, sizeof expected));
    return keyOk & signatureOk;
}

}  // namespace resound::crypto
