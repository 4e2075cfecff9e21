// ConnectionOptions: the handshake every new connection sends (shared by RedisConnection and LoopLink)
// and the address resolution both use: TCP host names and addresses, or a Unix socket path.
#include "redis/ConnectionOptions.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/un.h>

#include <cstddef>
#include <cstring>
#include <string>
#include <vector>

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
    const std::vector<SocketAddress> found = resolveAddresses(options, error);
    ASSERT_EQ(found.size(), 1u) << error;
    ASSERT_EQ(found[0].family(), AF_INET);
    const auto* inet = reinterpret_cast<const sockaddr_in*>(found[0].get());
    EXPECT_EQ(ntohs(inet->sin_port), 6390);
    EXPECT_EQ(ntohl(inet->sin_addr.s_addr), INADDR_LOOPBACK);
    EXPECT_EQ(options.describe(), "redis://127.0.0.1:6390/0");
}

TEST(ConnectionOptions, AHostThatIsAPathIsAUnixSocketAndThePortIsIgnored) {
    for (const std::string host : {"/run/redis/redis.sock", "unix:///run/redis/redis.sock"}) {
        ConnectionOptions options;
        options.host = host;
        options.port = 6390;
        options.db = 3;
        std::string error;
        const std::vector<SocketAddress> found = resolveAddresses(options, error);
        ASSERT_EQ(found.size(), 1u) << host << ": " << error;
        ASSERT_EQ(found[0].family(), AF_UNIX) << host;
        const auto* local = reinterpret_cast<const sockaddr_un*>(found[0].get());
        EXPECT_STREQ(local->sun_path, "/run/redis/redis.sock");
        EXPECT_EQ(found[0].length,
                  offsetof(sockaddr_un, sun_path) + std::strlen("/run/redis/redis.sock") + 1);
        EXPECT_EQ(options.describe(), "unix:///run/redis/redis.sock?db=3");
    }
}

TEST(ConnectionOptions, AnUnresolvableNameIsAnErrorNotAnAddress) {
    ConnectionOptions options;
    options.host = "no-such-host.invalid";
    std::string error;
    EXPECT_TRUE(resolveAddresses(options, error).empty());
    EXPECT_NE(error.find("no-such-host.invalid"), std::string::npos) << error;
}

TEST(ConnectionOptions, ATooLongSocketPathIsRefused) {
    ConnectionOptions options;
    options.host = "/" + std::string(200, 'x');
    std::string error;
    EXPECT_TRUE(resolveAddresses(options, error).empty());
    EXPECT_NE(error.find("too long"), std::string::npos) << error;
}

}  // namespace
}  // namespace resound::redis
