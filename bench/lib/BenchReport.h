#pragma once
// The result of one benchmark scenario: parameters, metrics, notes and failures, rendered as a
// human-readable table, a JSON object and a one-line summary for the runner. One thread at a time.
#include <string>
#include <vector>

namespace resound::bench {

class BenchReport {
  public:
    explicit BenchReport(std::string scenario) : scenario_(std::move(scenario)) {}

    void param(const std::string& key, const std::string& value);
    void param(const std::string& key, double value, int decimals = 0);
    // `label` and `unit` are for the table; the JSON key is `key`. Non-finite values become null.
    void metric(const std::string& key, const std::string& label, double value, const std::string& unit,
                int decimals);
    void note(const std::string& text) { notes_.push_back(text); }
    void failure(const std::string& text) { failures_.push_back(text); }
    void headline(const std::string& text) { headline_ = text; }
    const std::string& headline() const { return headline_; }

    bool ok() const { return failures_.empty(); }
    const std::string& scenario() const { return scenario_; }
    // Value of a metric by key, or NaN.
    double value(const std::string& key) const;

    std::string table() const;
    std::string json() const;
    // "<scenario>\t<ok|FAIL>\t<headline>" without a newline.
    std::string summaryLine() const;

  private:
    struct Entry {
        std::string key;
        std::string label;
        std::string text;  // already formatted (JSON literal for params that are numbers)
        std::string unit;
        double number = 0;
        bool isNumber = false;
        int decimals = 0;
    };
    std::string scenario_;
    std::vector<Entry> params_;
    std::vector<Entry> metrics_;
    std::vector<std::string> notes_;
    std::vector<std::string> failures_;
    std::string headline_;
};

// Fixed-point text for a number, or "null"/"-" when it is not finite.
std::string formatNumber(double value, int decimals);

}  // namespace resound::bench
