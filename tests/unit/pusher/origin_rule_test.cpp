// The allowed_origins rule (pusher/OriginRule.h), the one the edge and resound-auth both apply.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "pusher/OriginRule.h"

using namespace resound::pusher;

namespace {

bool allowed(std::vector<std::string> list, std::string_view origin) { return originAllowed(list, origin); }

}  // namespace

TEST(OriginRule, HostNamesCompareCaseInsensitively) {
    EXPECT_TRUE(allowed({"app.example.com"}, "https://App.Example.com"));
    EXPECT_TRUE(allowed({"App.Example.COM"}, "https://app.example.com"));
    EXPECT_FALSE(allowed({"app.example.com"}, "https://app.example.co"));
}

TEST(OriginRule, Ipv6LiteralWithPort) {
    EXPECT_EQ(originHost("https://[::1]:8080"), "::1");
    EXPECT_TRUE(allowed({"[::1]"}, "https://[::1]:8080"));
    EXPECT_TRUE(allowed({"::1"}, "https://[::1]:8080"));
    EXPECT_TRUE(allowed({"[::1]"}, "http://[::1]"));
    EXPECT_TRUE(allowed({"[2001:DB8::1]"}, "https://[2001:db8::1]:443"));
    EXPECT_FALSE(allowed({"[::2]"}, "https://[::1]:8080"));
    EXPECT_FALSE(allowed({"[::1]"}, "https://[::1"));       // unclosed
    EXPECT_FALSE(allowed({"[::1]"}, "https://[::1]x:80"));  // junk after the literal
}

TEST(OriginRule, WildcardMatchesSubdomainsCaseInsensitively) {
    EXPECT_TRUE(allowed({"*.example.org"}, "https://x.EXAMPLE.org"));
    EXPECT_TRUE(allowed({"*.example.org"}, "https://a.b.example.org:8443"));
    EXPECT_TRUE(allowed({"*.Example.org"}, "https://x.example.org"));
    EXPECT_FALSE(allowed({"*.example.org"}, "https://example.org"));   // not the domain itself
    EXPECT_FALSE(allowed({"*.example.org"}, "https://xexample.org"));  // a label boundary is needed
    EXPECT_FALSE(allowed({"*.example.org"}, "https://example.org.evil"));
}

TEST(OriginRule, SchemeAndPortAndPathAreIgnored) {
    EXPECT_EQ(originHost("https://app.example.com:8443/x?y#z"), "app.example.com");
    EXPECT_TRUE(allowed({"example.com"}, "http://example.com:8443"));
    EXPECT_TRUE(allowed({"example.com"}, "wss://example.com/path"));
    EXPECT_FALSE(allowed({"example.com"}, "https://evil.test"));
}

TEST(OriginRule, StarAllowsEverythingIncludingAMissingOrigin) {
    EXPECT_TRUE(allowed({"*"}, ""));
    EXPECT_TRUE(allowed({"*"}, "null"));
    EXPECT_TRUE(allowed({"example.com", "*"}, "https://evil.test"));
}

TEST(OriginRule, WithoutStarAMissingOrMalformedOriginIsRefused) {
    EXPECT_FALSE(allowed({"example.com"}, ""));
    EXPECT_FALSE(allowed({"example.com"}, "null"));         // sandboxed iframes, file://
    EXPECT_FALSE(allowed({"example.com"}, "example.com"));  // no scheme: not an origin (as Reverb)
    EXPECT_FALSE(allowed({"example.com"}, "://example.com"));
    EXPECT_FALSE(allowed({}, "https://example.com"));
    EXPECT_EQ(originHost("example.com"), "");
}
