#pragma once
// One configurable scalar: its YAML key, its environment variable and its allowed range, bound to the
// struct member it fills. The YAML reader, the env overrides and validate() all work from the same
// FieldSpec tables (ConfigSchema), so a range or a name is written down exactly once. Start-up only.
#include <algorithm>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

#include "config/Config.h"
#include "config/ScalarParsing.h"

namespace resound::config::detail {

inline constexpr std::string_view kClientEventsChoices[] = {"members", "none"};

template <class Owner>
struct FieldSpec {
    using Member = std::variant<std::string Owner::*, bool Owner::*, int Owner::*, unsigned Owner::*,
                                std::uint16_t Owner::*, std::size_t Owner::*, ClientEventsPolicy Owner::*,
                                std::vector<std::string> Owner::*>;

    std::string_view key;       // YAML key (snake_case)
    std::string_view envVar{};  // empty: no environment override
    Member member;
    long long min = 0;  // integers; negative values are never meaningful here
    long long max = kUnbounded;
    bool required = false;                        // strings: must not be empty
    std::span<const std::string_view> choices{};  // strings: the allowed values (lower case)
};

template <class Integer>
constexpr long long typeMax() {
    return static_cast<long long>(
        std::min<unsigned long long>(std::numeric_limits<Integer>::max(), kUnbounded));
}

// Parses `text` (a YAML scalar or an env value) into the member; `name` is what errors report.
// A list member takes a comma-separated value, as REVERB_APP_ALLOWED_ORIGINS does.
template <class Owner>
void assignFromText(const FieldSpec<Owner>& spec, Owner& object, std::string_view name,
                    std::string_view text) {
    std::visit(
        [&](auto member) {
            using Value = std::remove_cvref_t<decltype(object.*member)>;
            if constexpr (std::is_same_v<Value, std::string>) {
                object.*member = spec.choices.empty() ? std::string(text)
                                                      : std::string(parseChoice(name, text, spec.choices));
            } else if constexpr (std::is_same_v<Value, bool>) {
                object.*member = parseBool(name, text);
            } else if constexpr (std::is_same_v<Value, ClientEventsPolicy>) {
                object.*member = parseChoice(name, text, kClientEventsChoices) == "none"
                                     ? ClientEventsPolicy::None
                                     : ClientEventsPolicy::Members;
            } else if constexpr (std::is_same_v<Value, std::vector<std::string>>) {
                std::vector<std::string> items;
                for (std::size_t start = 0; start <= text.size();) {
                    const std::size_t comma = std::min(text.find(',', start), text.size());
                    const std::string_view item = trim(text.substr(start, comma - start));
                    if (!item.empty()) items.emplace_back(item);
                    start = comma + 1;
                }
                if (items.empty()) failField(name, "must list at least one value");
                object.*member = std::move(items);
            } else {
                object.*member =
                    static_cast<Value>(parseInteger(name, text, spec.min, spec.max, typeMax<Value>()));
            }
        },
        spec.member);
}

// Re-checks a typed value (the loader already did; a Config built in code did not).
template <class Owner>
void checkField(const FieldSpec<Owner>& spec, const Owner& object, std::string_view name) {
    std::visit(
        [&](auto member) {
            using Value = std::remove_cvref_t<decltype(object.*member)>;
            const Value& value = object.*member;
            if constexpr (std::is_same_v<Value, std::string>) {
                if (spec.required && value.empty()) failField(name, "missing");
                // The loader stores the canonical spelling; code building a Config must use it too.
                if (!spec.choices.empty() && parseChoice(name, value, spec.choices) != value) {
                    failField(name, quoted(value) + " must be lower case");
                }
            } else if constexpr (std::is_same_v<Value, std::vector<std::string>>) {
                if (value.empty()) failField(name, "must not be empty");
            } else if constexpr (std::is_same_v<Value, bool> || std::is_same_v<Value, ClientEventsPolicy>) {
                // Every value of these types is valid.
            } else if constexpr (std::is_signed_v<Value>) {
                checkRange(name, static_cast<long long>(value), spec.min, spec.max);
            } else {
                checkRange(name, static_cast<unsigned long long>(value), spec.min, spec.max);
            }
        },
        spec.member);
}

}  // namespace resound::config::detail
