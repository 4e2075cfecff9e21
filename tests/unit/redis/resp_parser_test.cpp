// RespParser: every RESP2 type, arbitrary chunking (byte by byte, every split point), limits and
// malformed input.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "redis/RespCommand.h"
#include "redis/RespParser.h"

namespace resound::redis {
namespace {

using Type = RespValue::Type;
using namespace std::string_literals;

std::vector<RespValue> parseAll(const std::string& input, RespLimits limits = {}) {
    RespParser parser(limits);
    std::vector<RespValue> out;
    EXPECT_TRUE(parser.feed(input.data(), input.size(), out)) << parser.error();
    EXPECT_TRUE(parser.idle());
    return out;
}

std::vector<RespValue> parseByteByByte(const std::string& input) {
    RespParser parser;
    std::vector<RespValue> out;
    for (char c : input) EXPECT_TRUE(parser.feed(&c, 1, out)) << parser.error();
    EXPECT_TRUE(parser.idle());
    return out;
}

std::string describe(const RespValue& v) {
    switch (v.type) {
        case Type::SimpleString:
            return "+" + v.text;
        case Type::Error:
            return "-" + v.text;
        case Type::Integer:
            return ":" + std::to_string(v.integer);
        case Type::BulkString:
            return "$" + v.text;
        case Type::NullBulk:
            return "$nil";
        case Type::NullArray:
            return "*nil";
        case Type::Array: {
            std::string s = "[";
            for (const auto& e : v.elements) s += describe(e) + ",";
            return s + "]";
        }
    }
    return "?";
}

std::string describeAll(const std::vector<RespValue>& values) {
    std::string s;
    for (const auto& v : values) s += describe(v) + ";";
    return s;
}

bool fails(const std::string& input, RespLimits limits = {}) {
    RespParser parser(limits);
    std::vector<RespValue> out;
    return !parser.feed(input.data(), input.size(), out) && parser.failed();
}

const std::string kMixed =
    "+OK\r\n-ERR wrong type\r\n:42\r\n:-7\r\n$5\r\nhello\r\n$0\r\n\r\n$-1\r\n*-1\r\n*0\r\n"
    "*3\r\n$7\r\nmessage\r\n$4\r\nchan\r\n$6\r\na\r\nb\0c\r\n"
    "*2\r\n*2\r\n:1\r\n*0\r\n$-1\r\n"s;  // s: the literal holds a NUL

const std::string kMixedDescription =
    "+OK;-ERR wrong type;:42;:-7;$hello;$;$nil;*nil;[];[$message,$chan,$a\r\nb" + std::string(1, '\0') +
    "c,];[[:1,[],],$nil,];";

TEST(RespParser, ParsesEveryType) { EXPECT_EQ(describeAll(parseAll(kMixed)), kMixedDescription); }

TEST(RespParser, EmptyArrayIsNotNull) {
    auto values = parseAll("*0\r\n*-1\r\n");
    ASSERT_EQ(values.size(), 2u);
    EXPECT_EQ(values[0].type, Type::Array);
    EXPECT_TRUE(values[0].elements.empty());
    EXPECT_FALSE(values[0].isNull());
    EXPECT_TRUE(values[1].isNull());
}

TEST(RespParser, ByteByByteGivesTheSameValues) {
    EXPECT_EQ(describeAll(parseByteByByte(kMixed)), kMixedDescription);
}

TEST(RespParser, EverySplitPointGivesTheSameValues) {
    for (std::size_t cut = 0; cut <= kMixed.size(); ++cut) {
        RespParser parser;
        std::vector<RespValue> out;
        ASSERT_TRUE(parser.feed(kMixed.data(), cut, out));
        ASSERT_TRUE(parser.feed(kMixed.data() + cut, kMixed.size() - cut, out));
        EXPECT_EQ(describeAll(out), kMixedDescription) << "cut at " << cut;
    }
}

TEST(RespParser, ValuesCompleteOnlyWhenTheirLastByteArrives) {
    RespParser parser;
    std::vector<RespValue> out;
    const std::string input = "*2\r\n$3\r\nfoo\r\n:1\r";
    ASSERT_TRUE(parser.feed(input.data(), input.size(), out));
    EXPECT_TRUE(out.empty());
    EXPECT_FALSE(parser.idle());
    ASSERT_TRUE(parser.feed("\n", 1, out));
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(describe(out[0]), "[$foo,:1,]");
}

TEST(RespParser, IntegersAtTheLimitsOfInt64) {
    auto values = parseAll(":9223372036854775807\r\n:-9223372036854775808\r\n:0\r\n");
    ASSERT_EQ(values.size(), 3u);
    EXPECT_EQ(values[0].integer, INT64_MAX);
    EXPECT_EQ(values[1].integer, INT64_MIN);
    EXPECT_TRUE(fails(":9223372036854775808\r\n"));
    EXPECT_TRUE(fails(":-9223372036854775809\r\n"));
}

TEST(RespParser, CommandEncodingRoundTrips) {
    std::string encoded;
    appendCommand(encoded, {"SET", "key", std::string_view("a\r\n\0b", 5), ""});
    EXPECT_EQ(encoded, std::string("*4\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\na\r\n\0b\r\n$0\r\n\r\n", 39));
    auto values = parseAll(encoded);
    ASSERT_EQ(values.size(), 1u);
    ASSERT_EQ(values[0].elements.size(), 4u);
    EXPECT_EQ(values[0].elements[2].text, std::string("a\r\n\0b", 5));
}

TEST(RespParser, BulkAndArrayLimits) {
    RespLimits limits;
    limits.maxBulkLength = 4;
    limits.maxArrayLength = 2;
    limits.maxDepth = 2;
    limits.maxLineLength = 8;
    EXPECT_EQ(parseAll("$4\r\nabcd\r\n", limits).size(), 1u);
    EXPECT_TRUE(fails("$5\r\nabcde\r\n", limits));
    EXPECT_EQ(parseAll("*2\r\n:1\r\n:2\r\n", limits).size(), 1u);
    EXPECT_TRUE(fails("*3\r\n", limits));
    EXPECT_EQ(parseAll("*1\r\n*1\r\n:1\r\n", limits).size(), 1u);
    EXPECT_TRUE(fails("*1\r\n*1\r\n*1\r\n:1\r\n", limits));
    EXPECT_EQ(parseAll("+12345678\r\n", limits).size(), 1u);
    EXPECT_TRUE(fails("+123456789\r\n", limits));
    // A huge announced bulk is refused from its header, before any payload arrives.
    EXPECT_TRUE(fails("$99999999999\r\n"));
}

TEST(RespParser, LineLimitIsEnforcedWhileTheLineIsStillIncomplete) {
    RespLimits limits;
    limits.maxLineLength = 16;
    RespParser parser(limits);
    std::vector<RespValue> out;
    std::string chunk = "+" + std::string(100, 'x');
    EXPECT_FALSE(parser.feed(chunk.data(), chunk.size(), out));
}

TEST(RespParser, MalformedInputIsRejected) {
    EXPECT_TRUE(fails("?\r\n"));     // unknown type
    EXPECT_TRUE(fails("_\r\n"));     // RESP3 null: we speak RESP2
    EXPECT_TRUE(fails(":12a\r\n"));  // not a number
    EXPECT_TRUE(fails(":\r\n"));     // empty number
    EXPECT_TRUE(fails(":+1\r\n"));   // explicit plus
    EXPECT_TRUE(fails("$-2\r\n"));   // negative length other than -1
    EXPECT_TRUE(fails("*-5\r\n"));
    EXPECT_TRUE(fails("$3\r\nfoobar\r\n"));            // bulk longer than announced
    EXPECT_TRUE(fails("$3\r\nfo\r\n\r\n"));            // CRLF not where the length says
    EXPECT_TRUE(fails("+OK\n"));                       // bare LF
    EXPECT_TRUE(fails("+O\rK\r\n"));                   // CR inside a line
    EXPECT_TRUE(fails(":123456789012345678901\r\n"));  // number line too long
}

TEST(RespParser, ErrorStateIsStickyUntilReset) {
    RespParser parser;
    std::vector<RespValue> out;
    EXPECT_FALSE(parser.feed("!", 1, out));
    EXPECT_TRUE(parser.failed());
    EXPECT_FALSE(parser.feed("+OK\r\n", 5, out));
    EXPECT_TRUE(out.empty());
    parser.reset();
    EXPECT_TRUE(parser.feed("+OK\r\n", 5, out));
    EXPECT_EQ(out.size(), 1u);
}

TEST(RespParser, ErrorCodesAreRecognised) {
    auto values = parseAll("-NOSCRIPT No matching script\r\n-NOSCRIPTX y\r\n-NOSCRIPT\r\n");
    EXPECT_TRUE(values[0].isErrorCode("NOSCRIPT"));
    EXPECT_FALSE(values[1].isErrorCode("NOSCRIPT"));
    EXPECT_TRUE(values[2].isErrorCode("NOSCRIPT"));
}

TEST(RespParser, ManyValuesInOneChunkAndLargeBulkInSmallChunks) {
    std::string input;
    for (int i = 0; i < 1000; ++i) input += ":" + std::to_string(i) + "\r\n";
    const std::string big(200000, 'z');
    input += "$" + std::to_string(big.size()) + "\r\n" + big + "\r\n";
    RespParser parser;
    std::vector<RespValue> out;
    for (std::size_t pos = 0; pos < input.size(); pos += 1000) {
        ASSERT_TRUE(parser.feed(input.data() + pos, std::min<std::size_t>(1000, input.size() - pos), out));
    }
    ASSERT_EQ(out.size(), 1001u);
    EXPECT_EQ(out[999].integer, 999);
    EXPECT_EQ(out[1000].text, big);
}

TEST(RespValue, AsIntegerReadsIntegersAndBulkStringsHoldingOne) {
    EXPECT_EQ(RespValue::number(-4).asInteger(), -4);
    EXPECT_EQ(RespValue::bulk("42").asInteger(), 42);
    EXPECT_FALSE(RespValue::bulk("42x").asInteger().has_value());
    EXPECT_FALSE(RespValue::bulk("").asInteger().has_value());
    EXPECT_FALSE(RespValue::simple("42").asInteger().has_value()) << "a status line is not a count";
    EXPECT_FALSE(RespValue{}.asInteger().has_value()) << "nil";
    EXPECT_FALSE(RespValue::error("ERR 42").asInteger().has_value());
}

}  // namespace
}  // namespace resound::redis
