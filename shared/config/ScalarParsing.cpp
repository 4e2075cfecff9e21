#include "config/ScalarParsing.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "config/ConfigLoader.h"

namespace resound::config::detail {
namespace {

std::string lower(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

// An option with a declared maximum reports its range; one without reports only the violated side.
std::string rangeProblem(const std::string& shown, bool belowMin, long long min, long long max,
                         long long limit) {
    if (max != kUnbounded)
        return shown + " is out of range " + std::to_string(min) + "-" + std::to_string(max);
    if (!belowMin) return shown + " is too large (max " + std::to_string(limit) + ")";
    return min == 0 ? shown + " must not be negative" : shown + " must be at least " + std::to_string(min);
}

// "1.5" deserves a more precise complaint than "abc".
bool looksDecimal(std::string_view text) {
    const bool allowed = std::all_of(text.begin(), text.end(), [](char c) {
        return std::isdigit(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '+';
    });
    return allowed && text.find('.') != std::string_view::npos &&
           std::any_of(text.begin(), text.end(),
                       [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
}

}  // namespace

void failField(std::string_view name, const std::string& problem) {
    throw ConfigError(std::string(name) + ": " + problem);
}

std::string_view trim(std::string_view text) {
    const auto isSpace = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
    while (!text.empty() && isSpace(text.front())) text.remove_prefix(1);
    while (!text.empty() && isSpace(text.back())) text.remove_suffix(1);
    return text;
}

std::string quoted(std::string_view text) {
    constexpr std::size_t kMaxShown = 60;
    std::string out = "'";
    for (std::size_t i = 0; i < text.size() && i < kMaxShown; ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        out += std::iscntrl(c) ? '?' : static_cast<char>(c);
    }
    if (text.size() > kMaxShown) out += "...";
    return out + "'";
}

long long parseInteger(std::string_view name, std::string_view text, long long min, long long max,
                       long long limit) {
    const long long highest = std::min(max, limit);
    std::string_view digits = trim(text);
    if (digits.size() > 1 && digits.front() == '+') digits.remove_prefix(1);  // from_chars rejects '+'
    long long value = 0;
    const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (digits.empty() || end != digits.data() + digits.size()) {
        failField(name,
                  quoted(text) + (looksDecimal(digits) ? " is not a whole number" : " is not a number"));
    }
    const bool negative = digits.front() == '-';
    if (error == std::errc::result_out_of_range) {
        failField(name, rangeProblem(std::string(digits), negative, min, max, highest));
    }
    if (value < min || value > highest) {
        failField(name, rangeProblem(std::string(digits), value < min, min, max, highest));
    }
    return value;
}

bool parseBool(std::string_view name, std::string_view text) {
    const std::string value = lower(trim(text));
    if (value == "true" || value == "yes" || value == "on" || value == "1") return true;
    if (value == "false" || value == "no" || value == "off" || value == "0") return false;
    failField(name, quoted(text) + " is not a boolean (use true or false)");
}

std::string_view parseChoice(std::string_view name, std::string_view text,
                             std::span<const std::string_view> choices) {
    const std::string value = lower(trim(text));
    for (const std::string_view choice : choices) {
        if (value == choice) return choice;
    }
    std::string listed;
    for (const std::string_view choice : choices) {
        listed += (listed.empty() ? "" : ", ") + std::string(choice);
    }
    failField(name, quoted(text) + " is not one of " + listed);
}

void checkRange(std::string_view name, long long value, long long min, long long max) {
    if (value < min || value > max) {
        failField(name, rangeProblem(std::to_string(value), value < min, min, max, max));
    }
}

void checkRange(std::string_view name, unsigned long long value, long long min, long long max) {
    // Compared as unsigned so a huge size_t set in code cannot wrap into range.
    const bool belowMin = value < static_cast<unsigned long long>(std::max(min, 0LL));
    const bool aboveMax = max != kUnbounded && value > static_cast<unsigned long long>(max);
    if (belowMin || aboveMax) failField(name, rangeProblem(std::to_string(value), belowMin, min, max, max));
}

}  // namespace resound::config::detail
