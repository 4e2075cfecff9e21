#include <gtest/gtest.h>

#include "json/JsonText.h"

using resound::json::quoted;

TEST(JsonText, QuotesPlainText) { EXPECT_EQ(quoted("hello"), "\"hello\""); }

TEST(JsonText, EscapesQuotesBackslashesAndControls) {
    EXPECT_EQ(quoted("a\"b\\c"), "\"a\\\"b\\\\c\"");
    EXPECT_EQ(quoted("\n\r\t\b\f"), "\"\\n\\r\\t\\b\\f\"");
    EXPECT_EQ(quoted(std::string("\x01\x1f", 2)), "\"\\u0001\\u001f\"");
}

TEST(JsonText, KeepsUtf8AndNestedJsonAsText) {
    EXPECT_EQ(quoted("h\xC3\xA9"), "\"h\xC3\xA9\"");
    EXPECT_EQ(quoted("{\"a\":1}"), "\"{\\\"a\\\":1}\"");
}
