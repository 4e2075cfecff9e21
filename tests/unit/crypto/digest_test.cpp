#include "crypto/Digest.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <thread>
#include <vector>

#include "crypto/Base64.h"
#include "crypto/ConstantTime.h"
#include "crypto/Random.h"

using namespace resound::crypto;

TEST(Digest, HmacSha256Rfc4231Case2) {
    EXPECT_EQ(hmacSha256Hex("Jefe", "what do ya want for nothing?"),
              "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(Digest, HmacWithEmptyKeyAndDataIsNotConfusedWithThePreviousKey) {
    // A reused OpenSSL context keeps its old key when given a null key; an empty key must not do that.
    EXPECT_EQ(hmacSha256Hex("some-secret", "x").size(), 64u);
    EXPECT_EQ(hmacSha256Hex("", ""), "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
}

TEST(Digest, HmacRekeysBetweenCalls) {
    const std::string a1 = hmacSha256Hex("key-a", "message");
    const std::string b = hmacSha256Hex("key-b", "message");
    const std::string a2 = hmacSha256Hex("key-a", "message");
    EXPECT_NE(a1, b);
    EXPECT_EQ(a1, a2);
}

TEST(Digest, HmacRawMatchesHex) {
    const Sha256Digest raw = hmacSha256("Jefe", "what do ya want for nothing?");
    EXPECT_EQ(toHex(raw.data(), raw.size()), hmacSha256Hex("Jefe", "what do ya want for nothing?"));
}

TEST(Digest, Md5) {
    EXPECT_EQ(md5Hex(""), "d41d8cd98f00b204e9800998ecf8427e");
    // The body of the docs/protocol.md 2.1 worked example.
    EXPECT_EQ(md5Hex(R"({"name":"foo","channels":["project-3"],"data":"{\"some\":\"data\"}"})"),
              "ec365a775a4cd0599faeb73354201b6f");
}

TEST(Digest, Sha256IsRawBytes) {
    const std::string digest = sha256("abc");
    ASSERT_EQ(digest.size(), 32u);
    EXPECT_EQ(toHex(reinterpret_cast<const std::uint8_t*>(digest.data()), digest.size()),
              "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Digest, ThreadsGetConsistentResults) {
    const std::string expected = hmacSha256Hex("Jefe", "what do ya want for nothing?");
    std::vector<std::thread> threads;
    std::vector<int> mismatches(4, 0);
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < 500; ++i) {
                if (hmacSha256Hex("Jefe", "what do ya want for nothing?") != expected) ++mismatches[t];
                if (md5Hex("") != "d41d8cd98f00b204e9800998ecf8427e") ++mismatches[t];
            }
        });
    }
    for (auto& thread : threads) thread.join();
    for (int count : mismatches) EXPECT_EQ(count, 0);
}

TEST(Base64, Rfc4648Vectors) {
    const std::pair<std::string, std::string> vectors[] = {
        {"", ""},
        {"f", "Zg=="},
        {"fo", "Zm8="},
        {"foo", "Zm9v"},
        {"foob", "Zm9vYg=="},
        {"fooba", "Zm9vYmE="},
        {"foobar", "Zm9vYmFy"},
    };
    for (const auto& [plain, encoded] : vectors) {
        EXPECT_EQ(base64Encode(plain), encoded);
        const auto decoded = base64Decode(encoded);
        ASSERT_TRUE(decoded.has_value()) << encoded;
        EXPECT_EQ(*decoded, plain);
    }
}

TEST(Base64, BinaryRoundTrip) {
    std::string all;
    for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
    const std::string encoded = base64Encode(all);
    EXPECT_NE(encoded.find('+'), std::string::npos);
    EXPECT_NE(encoded.find('/'), std::string::npos);
    EXPECT_EQ(base64Decode(encoded), all);
}

TEST(Base64, RejectsMalformedInput) {
    for (const char* bad :
         {"Zg=", "Zg", "Z===", "====", "Zg==Zg==", "Zm9v\n", "Zm9*", "Zh==", "Zm9=", "=Zm9"}) {
        EXPECT_FALSE(base64Decode(bad).has_value()) << bad;
    }
}

TEST(ConstantTime, Equals) {
    EXPECT_TRUE(constantTimeEquals("", ""));
    EXPECT_TRUE(constantTimeEquals("abc", "abc"));
    EXPECT_FALSE(constantTimeEquals("abc", "abd"));
    EXPECT_FALSE(constantTimeEquals("abc", "abcd"));
    EXPECT_FALSE(constantTimeEquals("", "a"));
}

TEST(Random, ProducesDifferentValues) {
    std::vector<std::uint64_t> values;
    for (int i = 0; i < 16; ++i) values.push_back(randomUint64());
    std::sort(values.begin(), values.end());
    EXPECT_EQ(std::unique(values.begin(), values.end()), values.end());
}
