#pragma once
// Pieces of the Prometheus text exposition format (version 0.0.4) that every /metrics renderer of the
// bundle needs: the HELP/TYPE lines of a metric family and label-value escaping.
#include <string>
#include <string_view>

namespace resound::metrics {

// "# HELP name help\n# TYPE name type\n"
void appendFamily(std::string& out, std::string_view name, std::string_view type, std::string_view help);

// A label value with backslash, double quote and newline escaped, as the format requires.
std::string escapeLabelValue(std::string_view text);

}  // namespace resound::metrics
