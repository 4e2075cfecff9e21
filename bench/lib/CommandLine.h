#pragma once
// The command-line plumbing resound-bench and resound-floor share: strict number parsing, setters
// that store one option's value into a field, the "--name value" loop, and the end of a run (report
// to stdout, JSON and summary files, exit status). Pure apart from the files it is told to write.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace resound::bench {

class BenchReport;

// Digits only (no sign, no blanks), base 10.
bool parseUnsigned(const std::string& text, std::uint64_t& out);
// A finite number, the whole text.
bool parseFinite(const std::string& text, double& out);

// Stores the value of "--option value"; false if the value is not acceptable.
using OptionSetter = std::function<bool(const std::string&)>;
using OptionSetters = std::map<std::string, OptionSetter>;

OptionSetter setUnsigned(std::uint64_t& field);
OptionSetter setSize(std::size_t& field);
OptionSetter setNonNegative(double& field);  // finite and >= 0
OptionSetter setFinite(double& field);
OptionSetter setText(std::string& field);  // non-empty
// "--param KEY=VALUE": a non-empty key, copied to the report's params.
OptionSetter addParam(std::vector<std::pair<std::string, std::string>>& params);

// Walks argv: "--help"/"-h" → false with message = usage; a name in `flags` (options without a value)
// runs its action; a name in `setters` takes the next argument. Unknown names and bad or missing values
// → false with message = what was wrong + usage.
bool applyOptions(int argc, char** argv, const OptionSetters& setters,
                  const std::map<std::string, std::function<void()>>& flags, const std::string& usage,
                  std::string& message);

// Prints the usage (--help, exit 0) or the error (exit 2) that applyOptions() left in `message`.
int reportUsageProblem(const std::string& message);

// The end of a run: the report's table on stdout, its JSON to `jsonPath` and its one-line summary
// appended to `summaryPath` (each when not empty). Returns the exit status: 0 ok, 1 a check failed.
int finishRun(const BenchReport& report, const std::string& jsonPath, const std::string& summaryPath);

// Raises RLIMIT_NOFILE to its hard limit; returns the limit now in force.
std::size_t raiseFileLimit();

}  // namespace resound::bench
