#include "websocket/Utf8Validator.h"

#include <gtest/gtest.h>

#include <string>

using resound::ws::Utf8Validator;

namespace {

// Straightforward encoder used as the reference for the exhaustive test.
std::string encodeCodePoint(uint32_t cp) {
    std::string s;
    if (cp < 0x80) {
        s += static_cast<char>(cp);
    } else if (cp < 0x800) {
        s += static_cast<char>(0xC0 | (cp >> 6));
        s += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        s += static_cast<char>(0xE0 | (cp >> 12));
        s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        s += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        s += static_cast<char>(0xF0 | (cp >> 18));
        s += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        s += static_cast<char>(0x80 | (cp & 0x3F));
    }
    return s;
}

// Reference rule: a lead byte and its continuations are valid iff they decode to a Unicode scalar value
// whose shortest encoding has exactly that length.
bool referenceValidSequence(const std::string& s) {
    const auto b0 = static_cast<uint8_t>(s[0]);
    std::size_t len;
    uint32_t cp;
    if (b0 < 0x80) return s.size() == 1;
    if ((b0 & 0xE0) == 0xC0) len = 2, cp = b0 & 0x1F;
    else if ((b0 & 0xF0) == 0xE0) len = 3, cp = b0 & 0x0F;
    else if ((b0 & 0xF8) == 0xF0) len = 4, cp = b0 & 0x07;
    else return false;
    if (s.size() != len) return false;
    for (std::size_t i = 1; i < len; ++i) {
        const auto b = static_cast<uint8_t>(s[i]);
        if ((b & 0xC0) != 0x80) return false;
        cp = (cp << 6) | (b & 0x3F);
    }
    if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    return encodeCodePoint(cp).size() == len;
}

}  // namespace

TEST(Utf8Validator, AcceptsAsciiAndMultiByteText) {
    EXPECT_TRUE(Utf8Validator::isValid(""));
    EXPECT_TRUE(Utf8Validator::isValid("{\"event\":\"pusher:ping\",\"data\":{}}"));
    EXPECT_TRUE(Utf8Validator::isValid("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80 \xE4\xB8\xAD\xE6\x96\x87"));
}

TEST(Utf8Validator, AcceptsBoundaryCodePoints) {
    for (uint32_t cp :
         {0x0u, 0x7Fu, 0x80u, 0x7FFu, 0x800u, 0xD7FFu, 0xE000u, 0xFFFDu, 0xFFFFu, 0x10000u, 0x10FFFFu}) {
        SCOPED_TRACE(cp);
        EXPECT_TRUE(Utf8Validator::isValid(encodeCodePoint(cp)));
    }
}

TEST(Utf8Validator, RejectsOverlongEncodings) {
    for (const char* s : {"\xC0\x80", "\xC1\xBF", "\xE0\x80\x80", "\xE0\x9F\xBF", "\xF0\x80\x80\x80",
                          "\xF0\x8F\xBF\xBF", "\xC0\xAF"}) {
        SCOPED_TRACE(s);
        EXPECT_FALSE(Utf8Validator::isValid(s));
    }
}

TEST(Utf8Validator, RejectsSurrogates) {
    for (const char* s :
         {"\xED\xA0\x80", "\xED\xAF\xBF", "\xED\xB0\x80", "\xED\xBF\xBF", "\xED\xA0\xBD\xED\xB8\x80"}) {
        SCOPED_TRACE(s);
        EXPECT_FALSE(Utf8Validator::isValid(s));
    }
}

TEST(Utf8Validator, RejectsAboveU10FFFF) {
    for (const char* s : {"\xF4\x90\x80\x80", "\xF4\xBF\xBF\xBF", "\xF5\x80\x80\x80", "\xF7\xBF\xBF\xBF",
                          "\xF8\x88\x80\x80\x80", "\xFC\x84\x80\x80\x80\x80", "\xFE", "\xFF"}) {
        SCOPED_TRACE(s);
        EXPECT_FALSE(Utf8Validator::isValid(s));
    }
}

TEST(Utf8Validator, RejectsStrayAndMissingContinuations) {
    EXPECT_FALSE(Utf8Validator::isValid("\x80"));
    EXPECT_FALSE(Utf8Validator::isValid("abc\xBF"));
    EXPECT_FALSE(Utf8Validator::isValid("\xE2\x82"));  // truncated at the end
    EXPECT_FALSE(
        Utf8Validator::isValid("\xE2\x82"
                               "A"));  // interrupted
    EXPECT_FALSE(Utf8Validator::isValid("\xC3\xA9\xA9"));
}

// Every code point, plus every lead byte followed by every second byte, agrees with the reference rule.
TEST(Utf8Validator, AgreesWithReferenceExhaustively) {
    for (uint32_t cp = 0; cp <= 0x10FFFF; ++cp) {
        const bool surrogate = cp >= 0xD800 && cp <= 0xDFFF;
        ASSERT_EQ(Utf8Validator::isValid(encodeCodePoint(cp)), !surrogate) << cp;
    }
    for (int b0 = 0x80; b0 < 256; ++b0) {  // ASCII lead bytes are covered by the loop above
        for (int b1 = 0; b1 < 256; ++b1) {
            for (std::size_t len = 2; len <= 4; ++len) {
                std::string s{static_cast<char>(b0), static_cast<char>(b1)};
                s.append(len - 2, '\x80');
                ASSERT_EQ(Utf8Validator::isValid(s), referenceValidSequence(s))
                    << b0 << " " << b1 << " " << len;
            }
        }
    }
}

// Feeding in pieces, cut anywhere, gives the same verdict as feeding at once.
TEST(Utf8Validator, IsIncrementalAcrossAnySplit) {
    const std::string samples[] = {
        "plain ascii text that is long enough to use the eight-byte fast path",
        "x\xE2\x82\xAC\xF0\x9F\x98\x80y\xC3\xA9\xF4\x8F\xBF\xBFz",
        "abcdefgh\xF0\x9F\x98\x80ijklmnop\xED\x9F\xBF",
        "abcdefgh\xED\xA0\x80ijklmnop",
        "abcdefghijklmno\xC0\x80",
        "tail \xF0\x9F\x98",
    };
    for (const std::string& s : samples) {
        const bool whole = Utf8Validator::isValid(s);
        for (std::size_t cut1 = 0; cut1 <= s.size(); ++cut1) {
            for (std::size_t cut2 = cut1; cut2 <= s.size(); ++cut2) {
                Utf8Validator v;
                const bool ok =
                    v.feed(s.substr(0, cut1)) & v.feed(s.substr(cut1, cut2 - cut1)) & v.feed(s.substr(cut2));
                ASSERT_EQ(ok && v.complete(), whole) << s << " " << cut1 << " " << cut2;
            }
        }
        Utf8Validator bytewise;
        bool ok = true;
        for (char c : s) ok = bytewise.feed(std::string_view(&c, 1)) && ok;
        EXPECT_EQ(ok && bytewise.complete(), whole);
    }
}

TEST(Utf8Validator, ReportsOpenSequenceAndFailsEarly) {
    Utf8Validator v;
    EXPECT_TRUE(v.feed("ab\xF0\x9F"));
    EXPECT_FALSE(v.complete());  // valid so far, but a character is open
    EXPECT_FALSE(v.failed());
    EXPECT_TRUE(v.feed("\x98"));
    EXPECT_TRUE(v.feed("\x80"));
    EXPECT_TRUE(v.complete());

    EXPECT_FALSE(v.feed("\xC0"));  // C0 can only start an overlong: rejected at once
    EXPECT_TRUE(v.failed());
    EXPECT_FALSE(v.feed("a"));  // sticky
    v.reset();
    EXPECT_TRUE(v.feed("a"));
    EXPECT_TRUE(v.complete());
}
