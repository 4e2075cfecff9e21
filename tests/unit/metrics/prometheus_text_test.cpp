#include "metrics/PrometheusText.h"

#include <gtest/gtest.h>

namespace {

using resound::metrics::appendFamily;
using resound::metrics::escapeLabelValue;

TEST(PrometheusText, FamilyHasHelpThenType) {
    std::string out = "x\n";
    appendFamily(out, "resound_connections", "gauge", "Open connections");
    EXPECT_EQ(out, "x\n# HELP resound_connections Open connections\n# TYPE resound_connections gauge\n");
}

TEST(PrometheusText, LabelValuesEscapeBackslashQuoteAndNewline) {
    EXPECT_EQ(escapeLabelValue(R"(app"1)"), R"(app\"1)");
    EXPECT_EQ(escapeLabelValue("a\\b"), "a\\\\b");
    EXPECT_EQ(escapeLabelValue("line\nbreak"), "line\\nbreak");
    EXPECT_EQ(escapeLabelValue("plain-é"), "plain-é");
}

}  // namespace
