#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>

#include "api/RequestSignature.h"
#include "http/QueryString.h"

using namespace resound;
using api::requestStringToSign;
using api::signRequest;
using api::verifyRequestSignature;

namespace {

// docs/protocol.md 2.1 worked example.
constexpr const char* kKey = "278d425bdf160c739803";
constexpr const char* kSecret = "7ad3773142a6692b25b8";
constexpr const char* kBody = R"({"name":"foo","channels":["project-3"],"data":"{\"some\":\"data\"}"})";
constexpr std::int64_t kTimestamp = 1353088179;
constexpr const char* kSignature = "da454824c97ba181a32ccc17a72625ba02771f50b50e1e7430e47a1f3f457e6c";

config::AppConfig app() {
    config::AppConfig a;
    a.id = "3";
    a.key = kKey;
    a.secret = kSecret;
    return a;
}

http::QueryParams exampleParams() {
    return {{"auth_key", kKey},
            {"auth_timestamp", "1353088179"},
            {"auth_version", "1.0"},
            {"body_md5", "ec365a775a4cd0599faeb73354201b6f"},
            {"auth_signature", kSignature}};
}

api::SignatureCheck verify(const http::QueryParams& params, std::string_view body = kBody,
                           std::int64_t now = kTimestamp, int window = 600,
                           std::string_view path = "/apps/3/events") {
    return verifyRequestSignature("POST", path, params, body, app(), now, window);
}

void set(http::QueryParams& params, const std::string& key, const std::string& value) {
    for (auto& [k, v] : params) {
        if (k == key) {
            v = value;
            return;
        }
    }
    params.emplace_back(key, value);
}

void remove(http::QueryParams& params, const std::string& key) {
    std::erase_if(params, [&](const auto& p) { return p.first == key; });
}

}  // namespace

TEST(RequestSignature, WorkedExampleStringToSign) {
    EXPECT_EQ(
        requestStringToSign("POST", "/apps/3/events", exampleParams()),
        "POST\n/apps/3/events\nauth_key=278d425bdf160c739803&auth_timestamp=1353088179&auth_version=1.0&"
        "body_md5=ec365a775a4cd0599faeb73354201b6f");
}

TEST(RequestSignature, WorkedExampleVerifies) {
    const api::SignatureCheck check = verify(exampleParams());
    EXPECT_TRUE(check.valid) << check.reason;
    EXPECT_TRUE(check.reason.empty());
}

TEST(RequestSignature, SignRequestReproducesTheWorkedExample) {
    const std::string query = signRequest("POST", "/apps/3/events", {}, kBody, kKey, kSecret, kTimestamp);
    EXPECT_EQ(query,
              "auth_key=278d425bdf160c739803&auth_timestamp=1353088179&auth_version=1.0&"
              "body_md5=ec365a775a4cd0599faeb73354201b6f&auth_signature=" +
                  std::string(kSignature));
    EXPECT_TRUE(verify(http::parseQuery(query)).valid);
}

TEST(RequestSignature, ParameterOrderAndKeyCaseDoNotMatter) {
    http::QueryParams params = exampleParams();
    std::reverse(params.begin(), params.end());
    EXPECT_TRUE(verify(params).valid);
    // Keys are lower-cased before sorting: an SDK that sent "Auth_Version" signed "auth_version".
    http::QueryParams upper = exampleParams();
    upper[2].first = "AUTH_VERSION";
    EXPECT_EQ(requestStringToSign("POST", "/apps/3/events", upper),
              requestStringToSign("POST", "/apps/3/events", exampleParams()));
}

TEST(RequestSignature, ExtraParamsAreSignedWithDecodedValues) {
    const http::QueryParams extra = {{"info", "user_count,subscription_count"},
                                     {"filter_by_prefix", "presence- x"}};
    const std::string query = signRequest("GET", "/apps/3/channels", extra, "", kKey, kSecret, kTimestamp);
    EXPECT_NE(query.find("info=user_count%2Csubscription_count"), std::string::npos) << query;
    EXPECT_EQ(query.find("body_md5"), std::string::npos) << "no body, no body_md5";
    const http::QueryParams received = http::parseQuery(query);
    const std::string toSign = requestStringToSign("GET", "/apps/3/channels", received);
    EXPECT_NE(toSign.find("filter_by_prefix=presence- x&"), std::string::npos) << toSign;
    EXPECT_NE(toSign.find("&info=user_count,subscription_count"), std::string::npos) << toSign;
    EXPECT_EQ(toSign.find("auth_signature"), std::string::npos);
    EXPECT_TRUE(
        verifyRequestSignature("GET", "/apps/3/channels", received, "", app(), kTimestamp, 600).valid);

    http::QueryParams tampered = received;
    set(tampered, "filter_by_prefix", "private-");
    EXPECT_FALSE(
        verifyRequestSignature("GET", "/apps/3/channels", tampered, "", app(), kTimestamp, 600).valid);
}

TEST(RequestSignature, TimestampWindow) {
    EXPECT_TRUE(verify(exampleParams(), kBody, kTimestamp + 600).valid);
    EXPECT_TRUE(verify(exampleParams(), kBody, kTimestamp - 600).valid);
    const api::SignatureCheck late = verify(exampleParams(), kBody, kTimestamp + 601);
    EXPECT_FALSE(late.valid);
    EXPECT_NE(late.reason.find("auth_timestamp"), std::string::npos) << late.reason;
    EXPECT_NE(late.reason.find("601"), std::string::npos) << late.reason;
    EXPECT_FALSE(verify(exampleParams(), kBody, kTimestamp - 601).valid) << "timestamps from the future too";
    // A window of 0 disables the check (Reverb/soketi compatibility).
    EXPECT_TRUE(verify(exampleParams(), kBody, kTimestamp + 1000000, 0).valid);
}

TEST(RequestSignature, MalformedTimestampIsRejected) {
    for (const char* bad : {"", "abc", "1353088179x", "99999999999999999999999"}) {
        http::QueryParams params = exampleParams();
        set(params, "auth_timestamp", bad);
        const api::SignatureCheck check = verify(params, kBody, kTimestamp, 0);
        EXPECT_FALSE(check.valid) << bad;
        EXPECT_NE(check.reason.find("auth_timestamp"), std::string::npos) << check.reason;
    }
    http::QueryParams farPast = exampleParams();
    set(farPast, "auth_timestamp", "-9223372036854775807");
    EXPECT_FALSE(verify(farPast).valid);
}

TEST(RequestSignature, BodyMd5IsRecomputedFromTheBody) {
    // The same (correctly signed) query with a different body: the md5 no longer matches.
    const api::SignatureCheck changed = verify(exampleParams(), R"({"name":"foo","channels":["project-4"]})");
    EXPECT_FALSE(changed.valid);
    EXPECT_NE(changed.reason.find("body_md5"), std::string::npos) << changed.reason;

    http::QueryParams missing = exampleParams();
    remove(missing, "body_md5");
    const api::SignatureCheck noMd5 = verify(missing);
    EXPECT_FALSE(noMd5.valid);
    EXPECT_NE(noMd5.reason.find("body_md5"), std::string::npos) << noMd5.reason;

    // A body_md5 on an empty body must be the md5 of nothing.
    EXPECT_FALSE(verify(exampleParams(), "").valid);
}

TEST(RequestSignature, EveryAuthParameterIsRequired) {
    for (const char* name : {"auth_key", "auth_timestamp", "auth_version", "auth_signature"}) {
        http::QueryParams params = exampleParams();
        remove(params, name);
        const api::SignatureCheck check = verify(params);
        EXPECT_FALSE(check.valid) << name;
        EXPECT_NE(check.reason.find(name), std::string::npos) << check.reason;
    }
}

TEST(RequestSignature, WrongKeyVersionSignatureOrPathIsRejected) {
    http::QueryParams wrongKey = exampleParams();
    set(wrongKey, "auth_key", "someone-elses-key");
    const api::SignatureCheck key = verify(wrongKey);
    EXPECT_FALSE(key.valid);
    EXPECT_NE(key.reason.find("auth_key"), std::string::npos) << key.reason;

    http::QueryParams version = exampleParams();
    set(version, "auth_version", "2.0");
    EXPECT_FALSE(verify(version).valid);

    http::QueryParams signature = exampleParams();
    set(signature, "auth_signature", std::string(64, '0'));
    const api::SignatureCheck sig = verify(signature);
    EXPECT_FALSE(sig.valid);
    EXPECT_NE(sig.reason.find("auth_signature"), std::string::npos) << sig.reason;

    http::QueryParams upper = exampleParams();
    std::string upperSig = kSignature;
    for (char& c : upperSig) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    set(upper, "auth_signature", upperSig);
    EXPECT_FALSE(verify(upper).valid);

    // Signed for /apps/3/events but sent with a proxy prefix still attached.
    EXPECT_FALSE(verify(exampleParams(), kBody, kTimestamp, 600, "/pusher/apps/3/events").valid);
    // Signed as POST, verified as GET.
    EXPECT_FALSE(
        verifyRequestSignature("GET", "/apps/3/events", exampleParams(), kBody, app(), kTimestamp, 600)
            .valid);
}

TEST(RequestSignature, AnotherAppsSecretDoesNotVerify) {
    config::AppConfig other = app();
    other.secret = "not-the-secret";
    EXPECT_FALSE(
        verifyRequestSignature("POST", "/apps/3/events", exampleParams(), kBody, other, kTimestamp, 600)
            .valid);
}
