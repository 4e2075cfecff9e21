#include "metrics/PrometheusText.h"

namespace resound::metrics {

void appendFamily(std::string& out, std::string_view name, std::string_view type, std::string_view help) {
    out.append("# HELP ").append(name).append(1, ' ').append(help);
    out.append("\n# TYPE ").append(name).append(1, ' ').append(type).append(1, '\n');
}

std::string escapeLabelValue(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (const char c : text) {
        if (c == '\\') {
            out += "\\\\";
        } else if (c == '"') {
            out += "\\\"";
        } else if (c == '\n') {
            out += "\\n";
        } else {
            out += c;
        }
    }
    return out;
}

}  // namespace resound::metrics
