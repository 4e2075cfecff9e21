#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "CommandLine.h"

namespace {

using namespace resound::bench;

// argv as main() gets it, from a list of words (the program name first).
struct Argv {
    explicit Argv(std::vector<std::string> words) : words_(std::move(words)) {
        for (auto& w : words_) pointers_.push_back(w.data());
    }
    int argc() const { return static_cast<int>(pointers_.size()); }
    char** argv() { return pointers_.data(); }

  private:
    std::vector<std::string> words_;
    std::vector<char*> pointers_;
};

TEST(CommandLine, NumbersAreStrict) {
    std::uint64_t n = 0;
    EXPECT_TRUE(parseUnsigned("42", n));
    EXPECT_EQ(n, 42u);
    for (const char* bad : {"", "-1", "+1", " 1", "1x", "99999999999999999999999"}) {
        EXPECT_FALSE(parseUnsigned(bad, n)) << bad;
    }
    double d = 0;
    EXPECT_TRUE(parseFinite("-2.5", d));
    EXPECT_EQ(d, -2.5);
    for (const char* bad : {"", "1e999", "nan", "inf", "1.5s"}) EXPECT_FALSE(parseFinite(bad, d)) << bad;
}

TEST(CommandLine, SettersStoreValuesFlagsRunAndParamsAreKept) {
    std::uint64_t count = 0;
    double seconds = 0;
    std::string name;
    bool strict = false;
    std::vector<std::pair<std::string, std::string>> params;
    const OptionSetters setters = {{"--count", setUnsigned(count)},
                                   {"--seconds", setNonNegative(seconds)},
                                   {"--name", setText(name)},
                                   {"--param", addParam(params)}};
    Argv args({"tool", "--count", "7", "--strict", "--seconds", "1.5", "--name", "x", "--param", "k=v=w"});
    std::string message;
    ASSERT_TRUE(applyOptions(args.argc(), args.argv(), setters, {{"--strict", [&] { strict = true; }}},
                             "usage: t\n", message))
        << message;
    EXPECT_EQ(count, 7u);
    EXPECT_EQ(seconds, 1.5);
    EXPECT_EQ(name, "x");
    EXPECT_TRUE(strict);
    ASSERT_EQ(params.size(), 1u);
    EXPECT_EQ(params[0], (std::pair<std::string, std::string>{"k", "v=w"}));
}

TEST(CommandLine, HelpUnknownMissingAndBadValuesSayWhatWasWrong) {
    double seconds = 0;
    const OptionSetters setters = {{"--seconds", setNonNegative(seconds)}};
    std::string message;

    Argv help({"tool", "--help"});
    EXPECT_FALSE(applyOptions(help.argc(), help.argv(), setters, {}, "usage: t\n", message));
    EXPECT_EQ(message, "usage: t\n");
    EXPECT_EQ(reportUsageProblem(message), 0);

    Argv unknown({"tool", "--nope", "1"});
    EXPECT_FALSE(applyOptions(unknown.argc(), unknown.argv(), setters, {}, "usage: t\n", message));
    EXPECT_EQ(message.rfind("unknown option --nope\n", 0), 0u);
    EXPECT_EQ(reportUsageProblem(message), 2);

    Argv missing({"tool", "--seconds"});
    EXPECT_FALSE(applyOptions(missing.argc(), missing.argv(), setters, {}, "usage: t\n", message));
    EXPECT_EQ(message.rfind("bad or missing value for --seconds\n", 0), 0u);

    Argv negative({"tool", "--seconds", "-1"});
    EXPECT_FALSE(applyOptions(negative.argc(), negative.argv(), setters, {}, "usage: t\n", message));
    EXPECT_EQ(message.rfind("bad or missing value for --seconds\n", 0), 0u);

    std::vector<std::pair<std::string, std::string>> params;
    EXPECT_FALSE(addParam(params)("=v"));
    EXPECT_FALSE(addParam(params)("novalue"));
    EXPECT_TRUE(params.empty());
}

}  // namespace
