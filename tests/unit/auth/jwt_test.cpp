// HS256 JWT decoding and signature checks: the RFC 7515 A.1 example, refused algorithms and shapes.
#include <gtest/gtest.h>

#include "auth/Jwt.h"
#include "auth/TokenClaims.h"

namespace resound::auth {
namespace {

// RFC 7515 appendix A.1 (HS256 with the JWK "k" below).
const char* const kRfcToken =
    "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9."
    "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ."
    "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const char* const kRfcKey =
    "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow";

std::string failureCode(std::string_view token) {
    const auto result = decodeJwt(token);
    const auto* failure = std::get_if<AuthFailure>(&result);
    return failure ? failure->code : "<decoded>";
}

TEST(Jwt, Rfc7515ExampleVerifies) {
    const auto result = decodeJwt(kRfcToken);
    ASSERT_TRUE(std::holds_alternative<DecodedJwt>(result));
    const DecodedJwt& jwt = std::get<DecodedJwt>(result);
    EXPECT_EQ(jwt.claims->getValue<std::string>("iss"), "joe");
    const auto key = base64UrlDecode(kRfcKey);
    ASSERT_TRUE(key);
    EXPECT_TRUE(hasValidHs256Signature(jwt, *key));
    EXPECT_FALSE(hasValidHs256Signature(jwt, "another key"));
}

TEST(Jwt, TamperedPayloadFailsTheSignature) {
    std::string token = kRfcToken;
    const std::string forged =
        base64UrlEncode(R"({"iss":"joe","exp":9999999999,"http://example.com/is_root":true})");
    const std::size_t first = token.find('.');
    const std::size_t second = token.find('.', first + 1);
    token.replace(first + 1, second - first - 1, forged);
    const auto result = decodeJwt(token);
    ASSERT_TRUE(std::holds_alternative<DecodedJwt>(result));
    EXPECT_FALSE(hasValidHs256Signature(std::get<DecodedJwt>(result), *base64UrlDecode(kRfcKey)));
}

TEST(Jwt, SignHs256RoundTrips) {
    const std::string token = signHs256(R"({"alg":"HS256","typ":"JWT"})", R"({"sub":"7"})", "k");
    const auto result = decodeJwt(token);
    ASSERT_TRUE(std::holds_alternative<DecodedJwt>(result));
    EXPECT_TRUE(hasValidHs256Signature(std::get<DecodedJwt>(result), "k"));
}

TEST(Jwt, OnlyHs256IsAccepted) {
    const std::string claims = base64UrlEncode(R"({"sub":"1"})");
    const std::string sig = base64UrlEncode(std::string(32, 'x'));
    EXPECT_EQ(failureCode(base64UrlEncode(R"({"alg":"none"})") + "." + claims + "."),
              "unsupported_algorithm");
    EXPECT_EQ(failureCode(base64UrlEncode(R"({"alg":"RS256"})") + "." + claims + "." + sig),
              "unsupported_algorithm");
    EXPECT_EQ(failureCode(base64UrlEncode(R"({"alg":"hs256"})") + "." + claims + "." + sig),
              "unsupported_algorithm");
    EXPECT_EQ(failureCode(base64UrlEncode(R"({"typ":"JWT"})") + "." + claims + "." + sig),
              "unsupported_algorithm");
    EXPECT_EQ(failureCode(base64UrlEncode(R"({"alg":"HS256","crit":["b64"]})") + "." + claims + "." + sig),
              "unsupported_algorithm");
    EXPECT_EQ(failureCode(base64UrlEncode(R"({"alg":"HS256"})") + "." + claims + "." + sig), "<decoded>");
}

TEST(Jwt, MalformedShapesAreRefused) {
    const std::string header = base64UrlEncode(R"({"alg":"HS256"})");
    const std::string claims = base64UrlEncode(R"({"sub":"1"})");
    const std::string sig = base64UrlEncode(std::string(32, 'x'));
    EXPECT_EQ(failureCode(""), "malformed_token");
    EXPECT_EQ(failureCode("abc"), "malformed_token");
    EXPECT_EQ(failureCode(header + "." + claims), "malformed_token");
    EXPECT_EQ(failureCode(header + "." + claims + "." + sig + ".x.y"), "malformed_token");  // JWE shape
    EXPECT_EQ(failureCode(header + "." + claims + "." + base64UrlEncode("short")), "malformed_token");
    EXPECT_EQ(failureCode(header + "." + base64UrlEncode("[1,2]") + "." + sig), "malformed_token");
    EXPECT_EQ(failureCode(header + "." + base64UrlEncode("{not json") + "." + sig), "malformed_token");
    EXPECT_EQ(failureCode(header + "." + claims + "=." + sig), "malformed_token");  // padding
    EXPECT_EQ(failureCode(header + "." + claims + "." + sig + "+"), "malformed_token");
    EXPECT_EQ(failureCode(std::string(kMaxTokenBytes + 1, 'a')), "malformed_token");
}

TEST(Base64Url, UsesTheUrlAlphabetWithoutPadding) {
    EXPECT_EQ(base64UrlEncode("\xfb\xff"), "-_8");
    EXPECT_EQ(base64UrlDecode("-_8"), std::string("\xfb\xff"));
    EXPECT_EQ(base64UrlDecode(""), std::string());
    EXPECT_FALSE(base64UrlDecode("+/8"));
    EXPECT_FALSE(base64UrlDecode("-_8="));
    EXPECT_FALSE(base64UrlDecode("a"));
    EXPECT_FALSE(base64UrlDecode("-_9"));  // non-zero spare bits
}

}  // namespace
}  // namespace resound::auth
