#include "websocket/Handshake.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <random>

using namespace resound::ws;

// RFC 6455 1.3 example: SHA-1 b3 7a 4f 2c c0 62 4f 16 90 f6 46 06 cf 38 59 45 b2 be c4 ea, base64-encoded.
// (The value "s3pPLMBiTxaQ9kYGzzo+xOo0s2k=" sometimes quoted for it is not what the RFC or SHA-1 gives.)
TEST(Handshake, AcceptKeyMatchesRfcExample) {
    EXPECT_EQ(computeAcceptKey("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

TEST(Handshake, AcceptKeyIsTwentyEightBase64Characters) {
    const std::string key = computeAcceptKey("x3JJHMbDL1EzLkh9GBhXDw==");
    EXPECT_EQ(key, "HSmrc0sMlYUkAGmm5OPpG2HaGWk=");  // checked with `openssl sha1 -binary | base64`
    EXPECT_EQ(key.size(), 28u);
}

TEST(Handshake, AcceptsCanonicalSixteenByteKeys) {
    EXPECT_TRUE(isValidClientKey("dGhlIHNhbXBsZSBub25jZQ=="));
    std::mt19937 rng(9);
    for (int i = 0; i < 200; ++i) {
        unsigned char raw[16];
        for (unsigned char& b : raw) b = static_cast<unsigned char>(rng());
        unsigned char encoded[25];
        EVP_EncodeBlock(encoded, raw, 16);
        EXPECT_TRUE(isValidClientKey(reinterpret_cast<const char*>(encoded))) << encoded;
    }
}

TEST(Handshake, RejectsMalformedKeys) {
    EXPECT_FALSE(isValidClientKey(""));
    EXPECT_FALSE(isValidClientKey("dGhlIHNhbXBsZSBub25jZQ="));    // too short
    EXPECT_FALSE(isValidClientKey("dGhlIHNhbXBsZSBub25jZQ==="));  // too long
    EXPECT_FALSE(isValidClientKey("dGhlIHNhbXBsZSBub25jZQAA"));   // no padding: not 16 bytes
    EXPECT_FALSE(isValidClientKey("dGhlIHNhbXBsZSBub25j*Q=="));   // not base64
    EXPECT_FALSE(isValidClientKey("dGhlIHNhbXBsZSBub25jZR=="));   // stray bits after the 16th byte
    EXPECT_FALSE(isValidClientKey(" dGhlIHNhbXBsZSBub25jZQ=="));  // untrimmed
    EXPECT_FALSE(isValidClientKey("dGhlIHNhbXBsZSBub25jZQ==\r"));
    EXPECT_FALSE(isValidClientKey("c2hvcnQ="));  // base64 of 5 bytes
}

TEST(Handshake, BuildsSwitchingProtocolsResponse) {
    EXPECT_EQ(buildUpgradeResponse("s3pPLMBiTxaQ9kYGzzo+xOo0s2k="),
              "HTTP/1.1 101 Switching Protocols\r\n"
              "Upgrade: websocket\r\n"
              "Connection: Upgrade\r\n"
              "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzo+xOo0s2k=\r\n"
              "\r\n");
}

// The start-up check (edge::Server refuses to start without it): true with a working OpenSSL.
TEST(Handshake, AcceptKeysWorkWithThisCryptoLibrary) { EXPECT_TRUE(acceptKeysWork()); }
