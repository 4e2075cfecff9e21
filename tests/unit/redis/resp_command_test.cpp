// appendEval: the exact RESP bytes of EVALSHA / EVAL calls, from views and from a ScriptCall's own
// strings alike, appended behind whatever the buffer already holds.
#include <gtest/gtest.h>

#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "redis/RespCommand.h"
#include "redis/RespParser.h"

namespace resound::redis {
namespace {

constexpr std::string_view kSha1 = "e0e1f9fabfc9d4800c877a703b823ac0578ff831";

TEST(AppendEval, WritesEvalShaWithKeyCountKeysAndArgs) {
    const std::array<std::string_view, 2> keys{"resound:nodes", "k2"};
    const std::array<std::string_view, 1> args{"node-1"};
    std::string out;
    appendEval(out, EvalVerb::EvalSha, kSha1, keys, args);
    EXPECT_EQ(out,
              "*6\r\n"
              "$7\r\nEVALSHA\r\n"
              "$40\r\ne0e1f9fabfc9d4800c877a703b823ac0578ff831\r\n"
              "$1\r\n2\r\n"
              "$13\r\nresound:nodes\r\n"
              "$2\r\nk2\r\n"
              "$6\r\nnode-1\r\n");
}

TEST(AppendEval, WritesEvalWithTheSource) {
    const std::array<std::string_view, 1> keys{"k"};
    const std::array<std::string_view, 0> args{};
    std::string out;
    appendEval(out, EvalVerb::Eval, "return 1", keys, args);
    EXPECT_EQ(out, "*4\r\n$4\r\nEVAL\r\n$8\r\nreturn 1\r\n$1\r\n1\r\n$1\r\nk\r\n");
}

TEST(AppendEval, NoKeysAndNoArgsStillSayZeroKeys) {
    const std::vector<std::string> none;
    std::string out;
    appendEval(out, EvalVerb::EvalSha, kSha1, none, none);
    EXPECT_EQ(out, "*3\r\n$7\r\nEVALSHA\r\n$40\r\ne0e1f9fabfc9d4800c877a703b823ac0578ff831\r\n$1\r\n0\r\n");
}

TEST(AppendEval, StringsAndViewsEncodeTheSameBinarySafeBytes) {
    const std::vector<std::string> keys{"a", std::string("b\r\n\0c", 5), ""};
    const std::vector<std::string> args{"", std::string(300, 'x')};
    const std::vector<std::string_view> keyViews(keys.begin(), keys.end());
    const std::vector<std::string_view> argViews(args.begin(), args.end());
    std::string fromStrings, fromViews;
    appendEval(fromStrings, EvalVerb::EvalSha, kSha1, keys, args);
    appendEval(fromViews, EvalVerb::EvalSha, kSha1, keyViews, argViews);
    EXPECT_EQ(fromStrings, fromViews);
    EXPECT_EQ(fromStrings, std::string("*8\r\n$7\r\nEVALSHA\r\n$40\r\n") + std::string(kSha1) +
                               "\r\n$1\r\n3\r\n$1\r\na\r\n$5\r\n" + std::string("b\r\n\0c", 5) +
                               "\r\n$0\r\n\r\n$0\r\n\r\n$300\r\n" + std::string(300, 'x') + "\r\n");
}

// A key count of two digits, and arguments that parse back to exactly what was given.
TEST(AppendEval, AppendsBehindAnEarlierCommandAndParsesBack) {
    std::vector<std::string> keys;
    for (int i = 0; i < 12; ++i) keys.push_back("key" + std::to_string(i));
    const std::vector<std::string> args{"arg"};
    std::string out;
    appendCommand(out, {"PING"});
    appendEval(out, EvalVerb::EvalSha, kSha1, keys, args);
    ASSERT_EQ(out.substr(0, 14), "*1\r\n$4\r\nPING\r\n");
    EXPECT_EQ(out.substr(14, 20), "*16\r\n$7\r\nEVALSHA\r\n$4");

    RespParser parser;
    std::vector<RespValue> commands;
    ASSERT_TRUE(parser.feed(out.data(), out.size(), commands)) << parser.error();
    ASSERT_EQ(commands.size(), 2u);
    const auto& e = commands[1].elements;
    ASSERT_EQ(e.size(), 16u);
    EXPECT_EQ(e[0].text, "EVALSHA");
    EXPECT_EQ(e[1].text, kSha1);
    EXPECT_EQ(e[2].text, "12");
    for (std::size_t i = 0; i < keys.size(); ++i) EXPECT_EQ(e[3 + i].text, keys[i]);
    EXPECT_EQ(e[15].text, "arg");
}

}  // namespace
}  // namespace resound::redis
