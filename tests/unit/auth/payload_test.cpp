// Pusher auth payloads built by the verifier, checked against docs/protocol.md 1.6's verified vectors and
// the SDKs' shared_secret derivation.
#include <gtest/gtest.h>

#include "auth/AuthPayload.h"

namespace resound::auth {
namespace {

config::AppConfig protocolApp() {
    config::AppConfig app;
    app.id = "3";
    app.key = "278d425bdf160c739803";
    app.secret = "7ad3773142a6692b25b8";
    return app;
}

TEST(AuthPayload, PrivateChannel) {
    EXPECT_EQ(
        privateChannelAuthBody(protocolApp(), "1234.1234", "private-foobar"),
        R"({"auth":"278d425bdf160c739803:58df8b0c36d6982b82c3ecf6b4662e34fe8c25bba48f5369f135bf843651c3a4"})");
}

TEST(AuthPayload, PresenceChannelSignsTheChannelDataItReturns) {
    const std::string channelData = R"({"user_id":10,"user_info":{"name":"Mr. Channels"}})";
    EXPECT_EQ(
        presenceChannelAuthBody(protocolApp(), "1234.1234", "presence-foobar", channelData),
        R"({"auth":"278d425bdf160c739803:31935e7d86dba64c2a90aed31fdc61869f9b22ba9d8863bba239c03ca481bc80",)"
        R"("channel_data":"{\"user_id\":10,\"user_info\":{\"name\":\"Mr. Channels\"}}"})");
}

TEST(AuthPayload, SigninUserData) {
    const std::string userData = signinUserData("12345", std::nullopt);
    EXPECT_EQ(userData, R"({"id":"12345"})");
    EXPECT_EQ(
        signinAuthBody(protocolApp(), "1234.1234", userData),
        R"({"auth":"278d425bdf160c739803:4708d583dada6a56435fb8bc611c77c359a31eebde13337c16ab43aa6de336ba",)"
        R"("user_data":"{\"id\":\"12345\"}"})");
}

TEST(AuthPayload, UserObjectsQuoteTheIdAndEmbedUserInfo) {
    EXPECT_EQ(presenceChannelData("u\"1", std::string(R"({"name":"Ada"})")),
              R"({"user_id":"u\"1","user_info":{"name":"Ada"}})");
    EXPECT_EQ(signinUserData("7", std::string("{}")), R"({"id":"7","user_info":{}})");
}

TEST(AuthPayload, EncryptedChannelSharedSecretMatchesTheSdkDerivation) {
    // base64(sha256("private-encrypted-orders.42" + key)), computed independently with Python's hashlib.
    const std::string key = "0123456789abcdef0123456789abcdef";
    EXPECT_EQ(encryptedChannelSharedSecret("private-encrypted-orders.42", key),
              "qdI/434XTdE2sxkHFyGtvhtK/HtVKTUXEnLp/GBGHh4=");
    const std::string body =
        encryptedChannelAuthBody(protocolApp(), "1234.1234", "private-encrypted-orders.42", key);
    EXPECT_NE(body.find(R"("shared_secret":"qdI/434XTdE2sxkHFyGtvhtK/HtVKTUXEnLp/GBGHh4=")"),
              std::string::npos)
        << body;
    EXPECT_EQ(body.rfind(R"({"auth":"278d425bdf160c739803:)", 0), 0u) << body;
}

}  // namespace
}  // namespace resound::auth
