#include "json/JsonReader.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <string>
#include <unordered_map>
#include <utility>

#include "json/JsonText.h"

namespace resound::json {
namespace {

bool isDigit(char c) { return c >= '0' && c <= '9'; }

int hexValue(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// Length of the well-formed UTF-8 sequence (RFC 3629 table) starting at `at`, or 0 if there is none:
// no overlong forms, no encoded surrogates, nothing above U+10FFFF.
std::size_t utf8SequenceLength(std::string_view in, std::size_t at) {
    auto byte = [&](std::size_t i) { return static_cast<unsigned char>(in[i]); };
    auto within = [&](std::size_t i, unsigned lo, unsigned hi) {
        return i < in.size() && byte(i) >= lo && byte(i) <= hi;
    };
    const unsigned lead = byte(at);
    if (lead >= 0xC2 && lead <= 0xDF) return within(at + 1, 0x80, 0xBF) ? 2 : 0;
    if (lead >= 0xE0 && lead <= 0xEF) {
        const unsigned lo = lead == 0xE0 ? 0xA0 : 0x80;
        const unsigned hi = lead == 0xED ? 0x9F : 0xBF;
        return within(at + 1, lo, hi) && within(at + 2, 0x80, 0xBF) ? 3 : 0;
    }
    if (lead >= 0xF0 && lead <= 0xF4) {
        const unsigned lo = lead == 0xF0 ? 0x90 : 0x80;
        const unsigned hi = lead == 0xF4 ? 0x8F : 0xBF;
        return within(at + 1, lo, hi) && within(at + 2, 0x80, 0xBF) && within(at + 3, 0x80, 0xBF) ? 4 : 0;
    }
    return 0;
}

// Small objects (every real body) are merged by a scan; big ones through a hash map, so a hostile body
// with many keys stays linear.
constexpr std::size_t kLinearMergeLimit = 16;

void mergeDuplicateKeys(std::vector<JsonMember>& members) {
    if (members.size() < 2) return;
    std::size_t kept = 0;
    if (members.size() <= kLinearMergeLimit) {
        for (std::size_t i = 0; i < members.size(); ++i) {
            std::size_t j = 0;
            while (j < kept && members[j].key != members[i].key) ++j;
            if (j < kept) {
                members[j].value = std::move(members[i].value);
            } else {
                if (kept != i) members[kept] = std::move(members[i]);
                ++kept;
            }
        }
    } else {
        // Views point at kept entries, which never move again (the vector is not resized meanwhile).
        std::unordered_map<std::string_view, std::size_t> index;
        index.reserve(members.size());
        for (std::size_t i = 0; i < members.size(); ++i) {
            auto found = index.find(members[i].key);
            if (found != index.end()) {
                members[found->second].value = std::move(members[i].value);
            } else {
                if (kept != i) members[kept] = std::move(members[i]);
                index.emplace(members[kept].key, kept);
                ++kept;
            }
        }
    }
    members.erase(members.begin() + static_cast<std::ptrdiff_t>(kept), members.end());
}

// Recursive descent over the input; the first failure is kept and every caller returns false.
class Reader {
  public:
    Reader(std::string_view in, std::size_t maxDepth) : in_(in), maxDepth_(maxDepth) {}

    JsonReadResult run() {
        JsonReadResult result;
        skipWhitespace();
        if (readValue(result.value, 0)) {
            skipWhitespace();
            if (pos_ != in_.size()) fail("unexpected data after the JSON value");
        }
        if (error_) {
            result.error = error_;
            result.value = JsonValue();
        }
        return result;
    }

  private:
    bool fail(const char* message) {
        if (!error_) error_ = JsonError{pos_, message};
        return false;
    }

    bool atEnd() const { return pos_ >= in_.size(); }
    char peek() const { return in_[pos_]; }

    void skipWhitespace() {
        while (!atEnd()) {
            const char c = peek();
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') return;
            ++pos_;
        }
    }

    bool readValue(JsonValue& out, std::size_t depth) {
        if (atEnd()) return fail("unexpected end of input, expected a value");
        switch (peek()) {
            case '{':
                return readObject(out, depth + 1);
            case '[':
                return readArray(out, depth + 1);
            case '"':
                out.kind = JsonKind::String;
                return readString(out.text);
            case 't':
                return readLiteral("true", out, JsonKind::Bool, true);
            case 'f':
                return readLiteral("false", out, JsonKind::Bool, false);
            case 'n':
                return readLiteral("null", out, JsonKind::Null, false);
            default:
                if (peek() == '-' || isDigit(peek())) return readNumber(out);
                return fail("expected a value");
        }
    }

    bool readLiteral(std::string_view word, JsonValue& out, JsonKind kind, bool boolean) {
        if (in_.substr(pos_, word.size()) != word) return fail("invalid literal");
        pos_ += word.size();
        out.kind = kind;
        out.boolean = boolean;
        return true;
    }

    // number = [ "-" ] ( "0" / 1-9 *DIGIT ) [ "." 1*DIGIT ] [ ( "e" / "E" ) [ "+" / "-" ] 1*DIGIT ]
    bool readNumber(JsonValue& out) {
        const std::size_t start = pos_;
        if (peek() == '-') ++pos_;
        if (atEnd() || !isDigit(peek())) return fail("invalid number: expected a digit");
        if (peek() == '0') {
            ++pos_;
        } else {
            while (!atEnd() && isDigit(peek())) ++pos_;
        }
        if (!atEnd() && peek() == '.') {
            ++pos_;
            if (atEnd() || !isDigit(peek())) return fail("invalid number: expected a digit after '.'");
            while (!atEnd() && isDigit(peek())) ++pos_;
        }
        if (!atEnd() && (peek() == 'e' || peek() == 'E')) {
            ++pos_;
            if (!atEnd() && (peek() == '+' || peek() == '-')) ++pos_;
            if (atEnd() || !isDigit(peek())) return fail("invalid number: expected an exponent digit");
            while (!atEnd() && isDigit(peek())) ++pos_;
        }
        // A digit right after "0" (leading zero) is left for the caller, which rejects it as
        // unexpected, as it does any other character that cannot follow a value.
        out.kind = JsonKind::Number;
        out.text.assign(in_.data() + start, pos_ - start);
        // RFC 8259 section 6 lets a reader limit the range; ours is IEEE 754 binary64, what every
        // JavaScript client can represent: 1e999999 would reach subscribers as Infinity.
        errno = 0;
        const double value = std::strtod(out.text.c_str(), nullptr);
        if (errno == ERANGE && std::isinf(value)) {
            pos_ = start;
            return fail("number out of range (larger than a double)");
        }
        return true;
    }

    // At '"'. Appends the decoded text to `out`; runs of plain characters are copied in one go.
    bool readString(std::string& out) {
        ++pos_;
        while (true) {
            const std::size_t runStart = pos_;
            while (!atEnd()) {
                const auto c = static_cast<unsigned char>(peek());
                if (c == '"' || c == '\\' || c < 0x20 || c >= 0x80) break;
                ++pos_;
            }
            out.append(in_.data() + runStart, pos_ - runStart);
            if (atEnd()) return fail("unterminated string");
            const auto c = static_cast<unsigned char>(peek());
            if (c == '"') {
                ++pos_;
                return true;
            }
            if (c < 0x20) return fail("control character in string: escape it");
            if (c >= 0x80) {
                const std::size_t length = utf8SequenceLength(in_, pos_);
                if (length == 0) return fail("invalid UTF-8 in string");
                out.append(in_.data() + pos_, length);
                pos_ += length;
                continue;
            }
            if (!readEscape(out)) return false;
        }
    }

    // At '\\'.
    bool readEscape(std::string& out) {
        ++pos_;
        if (atEnd()) return fail("unterminated string");
        const char c = peek();
        ++pos_;
        switch (c) {
            case '"':
                out.push_back('"');
                return true;
            case '\\':
                out.push_back('\\');
                return true;
            case '/':
                out.push_back('/');
                return true;
            case 'b':
                out.push_back('\b');
                return true;
            case 'f':
                out.push_back('\f');
                return true;
            case 'n':
                out.push_back('\n');
                return true;
            case 'r':
                out.push_back('\r');
                return true;
            case 't':
                out.push_back('\t');
                return true;
            case 'u':
                break;
            default:
                --pos_;
                return fail("invalid escape in string");
        }
        char32_t unit = 0;
        if (!readHex4(unit)) return false;
        if (unit >= 0xDC00 && unit <= 0xDFFF) return fail("lone low surrogate in \\u escape");
        if (unit >= 0xD800 && unit <= 0xDBFF) {
            if (in_.substr(pos_, 2) != "\\u") return fail("lone high surrogate in \\u escape");
            pos_ += 2;
            char32_t low = 0;
            if (!readHex4(low)) return false;
            if (low < 0xDC00 || low > 0xDFFF) return fail("high surrogate not followed by a low one");
            unit = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
        }
        appendUtf8(out, unit);
        return true;
    }

    bool readHex4(char32_t& out) {
        if (in_.size() - pos_ < 4) return fail("truncated \\u escape");
        for (int i = 0; i < 4; ++i) {
            const int digit = hexValue(in_[pos_]);
            if (digit < 0) return fail("invalid hex digit in \\u escape");
            out = (out << 4) | static_cast<char32_t>(digit);
            ++pos_;
        }
        return true;
    }

    // At '['; `depth` counts this array.
    bool readArray(JsonValue& out, std::size_t depth) {
        if (depth > maxDepth_) return fail("nested too deeply");
        ++pos_;
        out.kind = JsonKind::Array;
        skipWhitespace();
        if (!atEnd() && peek() == ']') {
            ++pos_;
            return true;
        }
        while (true) {
            // Parsed in place: a child never touches its parent's vector, so the reference holds.
            if (!readValue(out.items.emplace_back(), depth)) return false;
            skipWhitespace();
            if (atEnd()) return fail("unterminated array");
            if (peek() == ']') {
                ++pos_;
                return true;
            }
            if (peek() != ',') return fail("expected ',' or ']' in array");
            ++pos_;
            skipWhitespace();
        }
    }

    // At '{'; `depth` counts this object.
    bool readObject(JsonValue& out, std::size_t depth) {
        if (depth > maxDepth_) return fail("nested too deeply");
        ++pos_;
        out.kind = JsonKind::Object;
        skipWhitespace();
        if (!atEnd() && peek() == '}') {
            ++pos_;
            return true;
        }
        out.members.reserve(4);  // event bodies have 3-5 members: one allocation instead of three
        while (true) {
            if (atEnd() || peek() != '"') return fail("expected a string key in object");
            JsonMember& member = out.members.emplace_back();
            if (!readString(member.key)) return false;
            skipWhitespace();
            if (atEnd() || peek() != ':') return fail("expected ':' after object key");
            ++pos_;
            skipWhitespace();
            if (!readValue(member.value, depth)) return false;
            skipWhitespace();
            if (atEnd()) return fail("unterminated object");
            if (peek() == '}') {
                ++pos_;
                mergeDuplicateKeys(out.members);
                return true;
            }
            if (peek() != ',') return fail("expected ',' or '}' in object");
            ++pos_;
            skipWhitespace();
        }
    }

    std::string_view in_;
    std::size_t pos_ = 0;
    std::size_t maxDepth_;
    std::optional<JsonError> error_;
};

}  // namespace

JsonReadResult readJson(std::string_view text, std::size_t maxDepth) { return Reader(text, maxDepth).run(); }

}  // namespace resound::json
