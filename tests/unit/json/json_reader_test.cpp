#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "json/JsonReader.h"

using resound::json::JsonKind;
using resound::json::JsonValue;
using resound::json::readJson;

namespace {

// Parses `text`, failing the test on an error; returns the value.
JsonValue parsed(std::string_view text) {
    auto result = readJson(text);
    EXPECT_TRUE(result.ok()) << "rejected: " << text << " (" << (result.error ? result.error->message : "")
                             << " at " << (result.error ? result.error->offset : 0) << ")";
    return std::move(result.value);
}

bool rejected(std::string_view text) { return !readJson(text).ok(); }

std::string compact(std::string_view text) {
    std::string out;
    resound::json::appendCompact(out, parsed(text));
    return out;
}

std::string decoded(std::string_view jsonString) { return parsed(jsonString).text; }

}  // namespace

TEST(JsonReader, ReadsEveryKind) {
    EXPECT_EQ(parsed("null").kind, JsonKind::Null);
    EXPECT_EQ(parsed("true").kind, JsonKind::Bool);
    EXPECT_TRUE(parsed("true").boolean);
    EXPECT_FALSE(parsed("false").boolean);
    EXPECT_EQ(parsed("-12.5e3").kind, JsonKind::Number);
    EXPECT_EQ(parsed("-12.5e3").text, "-12.5e3");
    EXPECT_EQ(parsed(R"("hi")").kind, JsonKind::String);
    EXPECT_EQ(parsed("[1,\"a\",null]").items.size(), 3u);
    const JsonValue object = parsed(R"({"name":"e","channels":["a","b"],"data":{"x":[true]}})");
    ASSERT_TRUE(object.isObject());
    ASSERT_EQ(object.members.size(), 3u);
    EXPECT_EQ(object.members[0].key, "name");
    ASSERT_NE(object.find("channels"), nullptr);
    EXPECT_EQ(object.find("channels")->items.at(1).text, "b");
    EXPECT_EQ(object.find("data")->find("x")->items.at(0).kind, JsonKind::Bool);
    EXPECT_EQ(object.find("missing"), nullptr);
    EXPECT_EQ(parsed("[]").items.size(), 0u);
    EXPECT_TRUE(parsed("{}").isObject());
    EXPECT_EQ(parsed("[]").find("x"), nullptr);
}

TEST(JsonReader, AllowsWhitespaceBetweenTokensOnly) {
    const JsonValue value = parsed(" \t\r\n{ \"a\" : [ 1 , 2 ] , \"b\" :null }\n ");
    EXPECT_EQ(value.find("a")->items.size(), 2u);
    EXPECT_TRUE(rejected("{\"a\":1}\v"));  // vertical tab is not JSON whitespace
    EXPECT_TRUE(rejected("\xC2\xA0{}"));   // nor is U+00A0
    EXPECT_TRUE(rejected("[1 2]"));
}

TEST(JsonReader, RejectsEmptyInputAndTrailingData) {
    EXPECT_TRUE(rejected(""));
    EXPECT_TRUE(rejected("   "));
    EXPECT_TRUE(rejected("{} {}"));
    EXPECT_TRUE(rejected("{}x"));
    EXPECT_TRUE(rejected("nullx"));
    EXPECT_TRUE(rejected("truee"));
    EXPECT_TRUE(rejected(std::string("{}\0", 3)));
    const auto result = readJson(R"({"a":1} trailing)");
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error->offset, 8u);
    EXPECT_TRUE(result.value.isNull());
}

TEST(JsonReader, RejectsWhatTheGrammarDoesNotAllow) {
    for (const char* text :
         {"{",         "[",        "[1,]",          "{\"a\":1,}", "{a:1}", "{'a':1}", "{\"a\" 1}",
          "{\"a\":}",  "[,1]",     "tru",           "nul",        "True",  "NaN",     "Infinity",
          "undefined", "// c\n{}", "{\"a\":1}/**/", "'s'",        "]",     "}",       ":"}) {
        EXPECT_TRUE(rejected(text)) << text;
    }
}

TEST(JsonReader, NumbersFollowTheGrammar) {
    for (const char* text : {"0", "-0", "7", "-7", "10", "0.5", "-0.5", "1e5", "1E5", "1e+5", "1e-5",
                             "1.25E-10", "123456789012345678901234567890", "1e308", "1e-400", "-0.0e0"}) {
        EXPECT_EQ(parsed(text).text, text);
    }
    // Beyond a double (RFC 8259 section 6): would reach JavaScript subscribers as Infinity.
    for (const std::string& text :
         std::vector<std::string>{"1e400", "-1e400", "1e999999", "[1,2e309]", "1" + std::string(400, '0')}) {
        EXPECT_TRUE(rejected(text)) << text;
    }
    for (const char* text : {"01", "-01", "00", "1.", "-", "+1", ".5", "1.e5", "1e", "1e+", "1E-", "--1",
                             "0x10", "1.5.5", "1e5e5", "- 1", "[01]", "{\"a\":1.}"}) {
        EXPECT_TRUE(rejected(text)) << text;
    }
}

TEST(JsonReader, DecodesEscapes) {
    EXPECT_EQ(decoded(R"("a\"b\\c\/d\b\f\n\r\t")"), "a\"b\\c/d\b\f\n\r\t");
    EXPECT_EQ(decoded(R"("\u0041\u00e9\u20AC")"), "A\xC3\xA9\xE2\x82\xAC");
    EXPECT_EQ(decoded(R"("\u0000")"), std::string("\0", 1));
    EXPECT_EQ(decoded(R"("\ud83d\ude00")"), "\xF0\x9F\x98\x80");  // U+1F600 from a surrogate pair
    EXPECT_EQ(decoded(R"("\uDBFF\uDFFF")"), "\xF4\x8F\xBF\xBF");  // U+10FFFF
    for (const char* text : {R"("\x")", R"("\u12")", R"("\u12G4")", R"("\)", R"("\U0041")", R"("\')",
                             R"("\ud800")", R"("\ud800x")", R"("\ud800\u0041")", R"("\ud800\ud800")",
                             R"("\udc00")", R"("\udfff\ud800")", R"("\ud800\")"}) {
        EXPECT_TRUE(rejected(text)) << text;
    }
}

TEST(JsonReader, StringsMustBeValidUtf8WithoutRawControls) {
    EXPECT_EQ(decoded("\"caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80\""),
              "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80");
    for (const char* text : {"\"\xFF\"", "\"\xC3\"", "\"\xC3x\"", "\"\xC0\xAF\"",  // overlong '/'
                             "\"\xE0\x80\xAF\"", "\"\xED\xA0\x80\"",               // overlong, surrogate
                             "\"\xF4\x90\x80\x80\"", "\"\xF5\x80\x80\x80\"",       // above U+10FFFF
                             "\"\x80\"", "\"\xE2\x82\"", "\"\x01\"", "\"a\nb\"", "\"\x1F\"", "\"abc"}) {
        EXPECT_TRUE(rejected(text)) << text;
    }
    EXPECT_TRUE(rejected("{\"\xFF\":1}"));   // keys too
    EXPECT_EQ(decoded("\"\x7F\""), "\x7F");  // DEL is not a control character in JSON
}

TEST(JsonReader, ReadsVeryLongStrings) {
    const std::string text(1 << 20, 'x');
    EXPECT_EQ(decoded("\"" + text + "\""), text);
    std::string escaped;
    for (int i = 0; i < 10000; ++i) escaped += "ab\\n\\u00e9";
    EXPECT_EQ(decoded("\"" + escaped + "\"").size(), 10000u * 5);
}

TEST(JsonReader, LimitsNesting) {
    auto nested = [](std::size_t depth) { return std::string(depth, '[') + std::string(depth, ']'); };
    EXPECT_TRUE(readJson(nested(64)).ok());
    EXPECT_FALSE(readJson(nested(65)).ok());
    EXPECT_FALSE(readJson(nested(100000)).ok());  // would overflow the stack without the limit
    EXPECT_FALSE(readJson(std::string(100000, '[')).ok());
    std::string objects;
    for (int i = 0; i < 64; ++i) objects += "{\"a\":";
    EXPECT_TRUE(readJson(objects + "1" + std::string(64, '}')).ok());
    EXPECT_FALSE(readJson("[" + objects + "1" + std::string(64, '}') + "]").ok());
    EXPECT_TRUE(readJson(nested(3), 3).ok());
    EXPECT_FALSE(readJson(nested(4), 3).ok());
}

TEST(JsonReader, DuplicateKeysKeepTheLastValueAtTheFirstPlace) {
    const JsonValue value = parsed(R"({"a":1,"b":2,"a":3})");
    ASSERT_EQ(value.members.size(), 2u);
    EXPECT_EQ(value.members[0].key, "a");
    EXPECT_EQ(value.members[0].value.text, "3");
    EXPECT_EQ(value.members[1].key, "b");
    EXPECT_EQ(compact(R"({"x":{"k":1,"k":{"z":2}},"y":1,"x":[1]})"), R"({"x":[1],"y":1})");
    // Keys compare after decoding: "\u0061" is "a".
    EXPECT_EQ(compact(R"({"a":1,"\u0061":2})"), R"({"a":2})");
}

TEST(JsonReader, DuplicateKeysInBigObjectsToo) {
    std::string text = "{";
    for (int i = 0; i < 1000; ++i) text += "\"k" + std::to_string(i % 100) + "\":" + std::to_string(i) + ",";
    text += "\"last\":true}";
    const JsonValue value = parsed(text);
    ASSERT_EQ(value.members.size(), 101u);
    EXPECT_EQ(value.members[0].key, "k0");
    EXPECT_EQ(value.members[0].value.text, "900");
    EXPECT_EQ(value.find("k99")->text, "999");
    EXPECT_TRUE(value.find("last")->boolean);
}

TEST(JsonReader, CompactTextRoundTrips) {
    EXPECT_EQ(compact(R"( { "z" : 1 , "a" : [ true , null , "x\"y" , -1.5e+2 , {} , [] ] } )"),
              R"({"z":1,"a":[true,null,"x\"y",-1.5e+2,{},[]]})");
    EXPECT_EQ(compact(R"("\u00e9\/\u0001")"), "\"\xC3\xA9/\\u0001\"");
    const std::string text = R"({"k":["\ud83d\ude00",{"n":0.5}]})";
    EXPECT_EQ(compact(compact(text)), compact(text));
}
