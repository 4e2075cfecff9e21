// ConnectionOptions: the handshake every new connection sends (shared by RedisConnection and LoopLink)
// and the address resolution both use.
#include "redis/ConnectionOptions.h"

#include <gtest/gtest.h>
#include <netdb.h>

namespace resound::redis {
namespace {

TEST(ConnectionOptions, HandshakeIsAuthThenSelectOnlyWhenConfigured) {
    ConnectionOptions options;
    std::string out;
    EXPECT_EQ(options.appendHandshake(out), 0u);
    EXPECT_TRUE(out.empty());

    options.password = "s3cret";
    options.db = 2;
    EXPECT_EQ(options.appendHandshake(out), 2u);
    EXPECT_EQ(out, "*2\r\n$4\r\nAUTH\r\n$6\r\ns3cret\r\n*2\r\n$6\r\nSELECT\r\n$1\r\n2\r\n");

    out.clear();
    options.password.clear();
    EXPECT_EQ(options.appendHandshake(out), 1u);
    EXPECT_EQ(out, "*2\r\n$6\r\nSELECT\r\n$1\r\n2\r\n");
}

TEST(ConnectionOptions, ResolvesANumericAddress) {
    ConnectionOptions options;
    options.host = "127.0.0.1";
    options.port = 6390;
    std::string error;
    const AddressList found = resolveAddresses(options, error);
    ASSERT_TRUE(found) << error;
    EXPECT_EQ(found->ai_socktype, SOCK_STREAM);
    EXPECT_EQ(found->ai_family, AF_INET);
}

}  // namespace
}  // namespace resound::redis
