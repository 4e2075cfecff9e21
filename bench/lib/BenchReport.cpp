#include "BenchReport.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "json/JsonText.h"

namespace resound::bench {

std::string formatNumber(double value, int decimals) {
    if (!std::isfinite(value)) return "null";
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.*f", decimals, value);
    return buffer;
}

void BenchReport::param(const std::string& key, const std::string& value) {
    params_.push_back(Entry{key, key, value, "", 0, false});
}

void BenchReport::param(const std::string& key, double value, int decimals) {
    params_.push_back(Entry{key, key, formatNumber(value, decimals), "", value, true});
}

void BenchReport::metric(const std::string& key, const std::string& label, double value,
                         const std::string& unit, int decimals) {
    metrics_.push_back(Entry{key, label, formatNumber(value, decimals), unit, value, true, decimals});
}

double BenchReport::value(const std::string& key) const {
    for (const auto& m : metrics_) {
        if (m.key == key) return m.number;
    }
    return std::nan("");
}

std::string BenchReport::table() const {
    std::size_t width = 0;
    for (const auto& m : metrics_) width = std::max(width, m.label.size());
    for (const auto& p : params_) width = std::max(width, p.label.size());
    std::string out = "== " + scenario_ + (ok() ? "" : "  [FAILED]") + " ==\n";
    std::string paramLine;
    for (const auto& p : params_) paramLine += " " + p.key + "=" + p.text;
    if (!paramLine.empty()) out += "  params:" + paramLine + "\n";
    for (const auto& m : metrics_) {
        std::string text = m.text == "null" ? "-" : m.text;
        out += "  " + m.label + std::string(width - m.label.size() + 2, ' ') + text;
        if (!m.unit.empty()) out += " " + m.unit;
        out += "\n";
    }
    for (const auto& n : notes_) out += "  note: " + n + "\n";
    for (const auto& f : failures_) out += "  FAIL: " + f + "\n";
    return out;
}

std::string BenchReport::json() const {
    using resound::json::appendQuoted;
    std::string out = "{\n  \"scenario\": ";
    appendQuoted(out, scenario_);
    out += ",\n  \"ok\": ";
    out += ok() ? "true" : "false";
    out += ",\n  \"headline\": ";
    appendQuoted(out, headline_);
    out += ",\n  \"params\": {";
    for (std::size_t i = 0; i < params_.size(); ++i) {
        out += i ? ",\n    " : "\n    ";
        appendQuoted(out, params_[i].key);
        out += ": ";
        if (params_[i].isNumber) out += params_[i].text;
        else appendQuoted(out, params_[i].text);
    }
    out += params_.empty() ? "},\n" : "\n  },\n";
    out += "  \"metrics\": {";
    for (std::size_t i = 0; i < metrics_.size(); ++i) {
        out += i ? ",\n    " : "\n    ";
        appendQuoted(out, metrics_[i].key);
        // Two more decimals than the table shows, so 0.004 s of CPU does not become 0.00 in the data.
        const int decimals = metrics_[i].decimals == 0 ? 0 : std::min(metrics_[i].decimals + 2, 9);
        out += ": " + formatNumber(metrics_[i].number, decimals);
    }
    out += metrics_.empty() ? "},\n" : "\n  },\n";
    auto list = [&](const char* name, const std::vector<std::string>& items, bool last) {
        out += "  \"";
        out += name;
        out += "\": [";
        for (std::size_t i = 0; i < items.size(); ++i) {
            if (i) out += ", ";
            appendQuoted(out, items[i]);
        }
        out += last ? "]\n" : "],\n";
    };
    list("notes", notes_, false);
    list("failures", failures_, true);
    out += "}\n";
    return out;
}

std::string BenchReport::summaryLine() const {
    std::string line = scenario_ + "\t" + (ok() ? "ok" : "FAIL") + "\t" + headline_;
    for (char& c : line) {
        if (c == '\n') c = ' ';
    }
    return line;
}

}  // namespace resound::bench
