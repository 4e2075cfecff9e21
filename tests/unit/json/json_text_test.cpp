#include <gtest/gtest.h>

#include "json/JsonText.h"

namespace {
std::string quotedText(std::string_view s) { return resound::json::quoted(s); }
}  // namespace

TEST(JsonText, QuotesPlainText) { EXPECT_EQ(quotedText("hello"), "\"hello\""); }

TEST(JsonText, EscapesQuotesBackslashesAndControls) {
    EXPECT_EQ(quotedText("a\"b\\c"), "\"a\\\"b\\\\c\"");
    EXPECT_EQ(quotedText("\n\r\t\b\f"), "\"\\n\\r\\t\\b\\f\"");
    EXPECT_EQ(quotedText(std::string("\x01\x1f", 2)), "\"\\u0001\\u001f\"");
}

TEST(JsonText, KeepsUtf8AndNestedJsonAsText) {
    EXPECT_EQ(quotedText("h\xC3\xA9"), "\"h\xC3\xA9\"");
    EXPECT_EQ(quotedText("{\"a\":1}"), "\"{\\\"a\\\":1}\"");
}

TEST(JsonText, RepairsInvalidUtf8SoTheResultIsAlwaysValid) {
    EXPECT_EQ(quotedText("a\xff"
                         "b"),
              "\"a\xEF\xBF\xBD"
              "b\"");
    EXPECT_EQ(quotedText("\xC3"), "\"\xEF\xBF\xBD\"");                                  // truncated sequence
    EXPECT_EQ(quotedText("\xED\xA0\x80"), "\"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"");  // surrogate
    EXPECT_EQ(quotedText("\xE2\x82\xAC"), "\"\xE2\x82\xAC\"");                          // euro sign kept
}

TEST(JsonText, AppendUtf8EncodesEachLengthAtItsBoundaries) {
    std::string out;
    for (char32_t cp : {U'\x7F', U'\x80', U'\x7FF', U'\x800', U'\xFFFF', U'\x10000', U'\x10FFFF'}) {
        resound::json::appendUtf8(out, cp);
    }
    EXPECT_EQ(out,
              "\x7F"
              "\xC2\x80"
              "\xDF\xBF"
              "\xE0\xA0\x80"
              "\xEF\xBF\xBF"
              "\xF0\x90\x80\x80"
              "\xF4\x8F\xBF\xBF");
}
