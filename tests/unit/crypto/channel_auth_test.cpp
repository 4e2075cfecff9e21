#include <gtest/gtest.h>

#include <cctype>

#include "crypto/ChannelAuth.h"

using namespace resound::crypto;

namespace {

// docs/protocol.md 1.6 test vectors.
constexpr const char* kKey = "278d425bdf160c739803";
constexpr const char* kSecret = "7ad3773142a6692b25b8";
constexpr const char* kPrivateSig = "58df8b0c36d6982b82c3ecf6b4662e34fe8c25bba48f5369f135bf843651c3a4";
constexpr const char* kPresenceSig = "31935e7d86dba64c2a90aed31fdc61869f9b22ba9d8863bba239c03ca481bc80";
constexpr const char* kUserSig = "4708d583dada6a56435fb8bc611c77c359a31eebde13337c16ab43aa6de336ba";
constexpr const char* kChannelData = R"({"user_id":10,"user_info":{"name":"Mr. Channels"}})";

AppCredentials app() { return {kKey, kSecret}; }

}  // namespace

TEST(ChannelAuth, PrivateChannelVector) {
    EXPECT_EQ(channelStringToSign("1234.1234", "private-foobar"), "1234.1234:private-foobar");
    EXPECT_EQ(channelSignature(kSecret, "1234.1234", "private-foobar"), kPrivateSig);
}

TEST(ChannelAuth, PresenceChannelVector) {
    EXPECT_EQ(presenceSignature(kSecret, "1234.1234", "presence-foobar", kChannelData), kPresenceSig);
}

TEST(ChannelAuth, UserSigninVector) {
    EXPECT_EQ(userSigninStringToSign("1234.1234", R"({"id":"12345"})"), R"(1234.1234::user::{"id":"12345"})");
    EXPECT_EQ(userSigninSignature(kSecret, "1234.1234", R"({"id":"12345"})"), kUserSig);
}

TEST(ChannelAuth, VerifyAcceptsCorrectKeyAndSignature) {
    EXPECT_TRUE(verifyAuthString(std::string(kKey) + ":" + kPrivateSig, app(),
                                 channelStringToSign("1234.1234", "private-foobar")));
    EXPECT_TRUE(verifyAuthString(std::string(kKey) + ":" + kPresenceSig, app(),
                                 presenceStringToSign("1234.1234", "presence-foobar", kChannelData)));
    EXPECT_TRUE(verifyAuthString(std::string(kKey) + ":" + kUserSig, app(),
                                 userSigninStringToSign("1234.1234", R"({"id":"12345"})")));
}

TEST(ChannelAuth, VerifyRejectsWrongKeyEvenWithValidSignature) {
    // Reverb only checks the part after ':'; we check the key too.
    EXPECT_FALSE(verifyAuthString(std::string("otherkey:") + kPrivateSig, app(),
                                  channelStringToSign("1234.1234", "private-foobar")));
    EXPECT_FALSE(verifyAuthString(std::string(":") + kPrivateSig, app(),
                                  channelStringToSign("1234.1234", "private-foobar")));
}

TEST(ChannelAuth, VerifyRejectsBadSignatures) {
    const std::string toSign = channelStringToSign("1234.1234", "private-foobar");
    std::string flipped = std::string(kKey) + ":" + kPrivateSig;
    flipped.back() = flipped.back() == '4' ? '5' : '4';
    EXPECT_FALSE(verifyAuthString(flipped, app(), toSign));
    EXPECT_FALSE(verifyAuthString(std::string(kKey) + ":", app(), toSign));
    EXPECT_FALSE(verifyAuthString(kKey, app(), toSign));
    EXPECT_FALSE(verifyAuthString("", app(), toSign));
    // Upper-case hex is not what the SDKs send.
    std::string upper = kPrivateSig;
    for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    EXPECT_FALSE(verifyAuthString(std::string(kKey) + ":" + upper, app(), toSign));
    // Signed for another socket / channel.
    EXPECT_FALSE(verifyAuthString(std::string(kKey) + ":" + kPrivateSig, app(),
                                  channelStringToSign("1234.1235", "private-foobar")));
    // Presence data re-serialised differently by the server would not match: exact bytes matter.
    EXPECT_FALSE(
        verifyAuthString(std::string(kKey) + ":" + kPresenceSig, app(),
                         presenceStringToSign("1234.1234", "presence-foobar",
                                              R"({"user_id": 10,"user_info":{"name":"Mr. Channels"}})")));
}
