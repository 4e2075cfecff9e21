// The per-app keys of the auth verifier (jwt_secret, encryption_master_key): YAML, env, validation.
#include "ConfigTestSupport.h"

namespace resound::config::test {
namespace {

const std::string kJwtSecret = "0123456789abcdef0123456789abcdef";              // 32 characters
const std::string kMasterKey = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";  // base64 of 32 bytes

TEST(AuthVerifierKeys, DefaultToEmpty) {
    const Config config = parseConfig(kMinimalApp, fakeEnv({}));
    EXPECT_EQ(config.apps[0].jwtSecret, "");
    EXPECT_EQ(config.apps[0].encryptionMasterKey, "");
}

TEST(AuthVerifierKeys, ReadFromYaml) {
    const Config config = parseConfig("apps:\n  - {id: a1, key: k1, secret: s1, jwt_secret: " + kJwtSecret +
                                          ", encryption_master_key: \"" + kMasterKey + "\"}\n",
                                      fakeEnv({}));
    EXPECT_EQ(config.apps[0].jwtSecret, kJwtSecret);
    EXPECT_EQ(config.apps[0].encryptionMasterKey, kMasterKey);
}

TEST(AuthVerifierKeys, EnvOverridesTheFirstApp) {
    const Config config = parseConfig(
        std::string(kMinimalApp) + "  - {id: a2, key: k2, secret: s2}\n",
        fakeEnv({{"RESOUND_APP_JWT_SECRET", kJwtSecret}, {"RESOUND_APP_ENCRYPTION_MASTER_KEY", kMasterKey}}));
    EXPECT_EQ(config.apps[0].jwtSecret, kJwtSecret);
    EXPECT_EQ(config.apps[0].encryptionMasterKey, kMasterKey);
    EXPECT_EQ(config.apps[1].jwtSecret, "");
}

TEST(AuthVerifierKeys, ShortJwtSecretIsRejectedWithoutQuotingIt) {
    const std::string error =
        parseError(std::string(kMinimalApp), {{"RESOUND_APP_JWT_SECRET", "short-secret"}});
    EXPECT_NE(error.find("apps[0].jwt_secret"), std::string::npos) << error;
    EXPECT_NE(error.find("32 characters"), std::string::npos) << error;
    EXPECT_EQ(error.find("short-secret"), std::string::npos) << error;
}

TEST(AuthVerifierKeys, MasterKeyMustBeBase64Of32Bytes) {
    for (const std::string bad :
         {"not base64!", "c2hvcnQ=" /* "short" */, "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWYwMA=="}) {
        const std::string error =
            parseError(std::string(kMinimalApp), {{"RESOUND_APP_ENCRYPTION_MASTER_KEY", bad}});
        EXPECT_NE(error.find("apps[0].encryption_master_key"), std::string::npos) << bad << ": " << error;
        EXPECT_NE(error.find("32 bytes"), std::string::npos) << error;
    }
}

TEST(AuthVerifierKeys, ValidateChecksAConfigBuiltInCode) {
    Config config = parseConfig(kMinimalApp, fakeEnv({}));
    config.apps[0].encryptionMasterKey = "AAAA";
    EXPECT_THROW(validate(config), ConfigError);
    config.apps[0].encryptionMasterKey = kMasterKey;
    config.apps[0].jwtSecret = kJwtSecret;
    EXPECT_NO_THROW(validate(config));
}

}  // namespace
}  // namespace resound::config::test
