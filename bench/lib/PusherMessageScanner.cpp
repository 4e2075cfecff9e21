#include "PusherMessageScanner.h"

#include "json/JsonText.h"

namespace resound::bench {
namespace {

constexpr std::size_t npos = std::string_view::npos;

std::size_t skipSpace(std::string_view s, std::size_t i) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) ++i;
    return i;
}

// `i` points at the opening quote; returns the index after the closing quote.
std::size_t endOfString(std::string_view s, std::size_t i) {
    for (++i; i < s.size(); ++i) {
        if (s[i] == '\\') {
            ++i;
        } else if (s[i] == '"') {
            return i + 1;
        }
    }
    return npos;
}

// `i` points at the first character of a value; returns the index after it.
std::size_t endOfValue(std::string_view s, std::size_t i) {
    if (i >= s.size()) return npos;
    if (s[i] == '"') return endOfString(s, i);
    if (s[i] == '{' || s[i] == '[') {
        int depth = 0;
        while (i < s.size()) {
            const char c = s[i];
            if (c == '"') {
                i = endOfString(s, i);
                if (i == npos) return npos;
                continue;
            }
            if (c == '{' || c == '[') ++depth;
            if (c == '}' || c == ']') {
                if (--depth == 0) return i + 1;
            }
            ++i;
        }
        return npos;
    }
    const std::size_t start = i;
    while (i < s.size() && s[i] != ',' && s[i] != '}' && s[i] != ']' && s[i] != ' ' && s[i] != '\t' &&
           s[i] != '\n' && s[i] != '\r')
        ++i;
    return i == start ? npos : i;
}

// Calls visit(key, valueStart, valueEnd) for every top-level member; false on malformed input.
template <typename Visit>
bool forEachMember(std::string_view s, Visit&& visit) {
    std::size_t i = skipSpace(s, 0);
    if (i >= s.size() || s[i] != '{') return false;
    i = skipSpace(s, i + 1);
    if (i < s.size() && s[i] == '}') return true;
    while (i < s.size()) {
        if (s[i] != '"') return false;
        const std::size_t keyEnd = endOfString(s, i);
        if (keyEnd == npos) return false;
        const std::string_view key = s.substr(i + 1, keyEnd - i - 2);
        i = skipSpace(s, keyEnd);
        if (i >= s.size() || s[i] != ':') return false;
        const std::size_t valueStart = skipSpace(s, i + 1);
        const std::size_t valueEnd = endOfValue(s, valueStart);
        if (valueEnd == npos) return false;
        if (!visit(key, valueStart, valueEnd)) return true;
        i = skipSpace(s, valueEnd);
        if (i >= s.size()) return false;
        if (s[i] == '}') return true;
        if (s[i] != ',') return false;
        i = skipSpace(s, i + 1);
    }
    return false;
}

int hexValue(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

bool readHex4(std::string_view s, std::size_t i, unsigned& value) {
    if (i + 4 > s.size()) return false;
    value = 0;
    for (std::size_t k = i; k < i + 4; ++k) {
        const int h = hexValue(s[k]);
        if (h < 0) return false;
        value = (value << 4) | static_cast<unsigned>(h);
    }
    return true;
}

bool parseInteger(std::string_view text, std::int64_t& value) {
    std::size_t i = 0;
    bool negative = false;
    if (i < text.size() && text[i] == '-') {
        negative = true;
        ++i;
    }
    if (i >= text.size()) return false;
    std::int64_t v = 0;
    for (; i < text.size(); ++i) {
        if (text[i] < '0' || text[i] > '9') return false;
        v = v * 10 + (text[i] - '0');
    }
    value = negative ? -v : v;
    return true;
}

}  // namespace

bool scanPusherMessage(std::string_view json, PusherMessage& out) {
    out = PusherMessage{};
    return forEachMember(json, [&](std::string_view key, std::size_t start, std::size_t end) {
        const bool isString = json[start] == '"';
        const std::string_view inner =
            isString ? json.substr(start + 1, end - start - 2) : std::string_view{};
        if (key == "event" && isString) {
            out.event = inner;
        } else if (key == "channel" && isString) {
            out.channel = inner;
        } else if (key == "data") {
            out.hasData = true;
            out.dataIsString = isString;
            out.data = isString ? inner : json.substr(start, end - start);
        }
        return true;
    });
}

bool unescapeJsonString(std::string_view s, std::string& out) {
    out.clear();
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        const char c = s[i];
        if (c != '\\') {
            out.push_back(c);
            continue;
        }
        if (++i >= s.size()) return false;
        switch (s[i]) {
            case '"':
                out.push_back('"');
                break;
            case '\\':
                out.push_back('\\');
                break;
            case '/':
                out.push_back('/');
                break;
            case 'b':
                out.push_back('\b');
                break;
            case 'f':
                out.push_back('\f');
                break;
            case 'n':
                out.push_back('\n');
                break;
            case 'r':
                out.push_back('\r');
                break;
            case 't':
                out.push_back('\t');
                break;
            case 'u': {
                unsigned cp = 0;
                if (!readHex4(s, i + 1, cp)) return false;
                i += 4;
                if (cp >= 0xD800 && cp <= 0xDBFF) {
                    unsigned low = 0;
                    if (i + 2 >= s.size() || s[i + 1] != '\\' || s[i + 2] != 'u' ||
                        !readHex4(s, i + 3, low) || low < 0xDC00 || low > 0xDFFF)
                        return false;
                    i += 6;
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
                } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
                    return false;
                }
                json::appendUtf8(out, cp);
                break;
            }
            default:
                return false;
        }
    }
    return true;
}

bool findIntegerMember(std::string_view object, std::string_view key, std::int64_t& value) {
    bool found = false;
    const bool wellFormed =
        forEachMember(object, [&](std::string_view k, std::size_t start, std::size_t end) {
            if (k != key) return true;
            found = parseInteger(object.substr(start, end - start), value);
            return false;
        });
    return wellFormed && found;
}

std::string makeBenchData(const BenchStamp& stamp) {
    std::string out = "{\"t\":";
    out += std::to_string(stamp.sentNs);
    out += ",\"s\":";
    out += std::to_string(stamp.seq);
    out.push_back('}');
    return out;
}

namespace {

// Reads decimal digits at `pos`; false if there are none.
bool readDigits(std::string_view s, std::size_t& pos, std::uint64_t& value) {
    const std::size_t start = pos;
    value = 0;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9')
        value = value * 10 + static_cast<std::uint64_t>(s[pos++] - '0');
    return pos > start && pos - start <= 19;
}

// The exact escaped form the server relays for our own events: {\"t\":<digits>,\"s\":<digits>}.
// Saves unescaping and rescanning on the subscribers' hot path; anything else takes the general path.
bool readEscapedStampFast(std::string_view data, BenchStamp& stamp) {
    constexpr std::string_view kHead = R"({\"t\":)";
    constexpr std::string_view kMiddle = R"(,\"s\":)";
    if (data.substr(0, kHead.size()) != kHead) return false;
    std::size_t pos = kHead.size();
    std::uint64_t t = 0, seq = 0;
    if (!readDigits(data, pos, t) || data.substr(pos, kMiddle.size()) != kMiddle) return false;
    pos += kMiddle.size();
    if (!readDigits(data, pos, seq) || pos + 1 != data.size() || data[pos] != '}') return false;
    stamp.sentNs = static_cast<std::int64_t>(t);
    stamp.seq = seq;
    return true;
}

}  // namespace

bool readBenchStamp(const PusherMessage& message, BenchStamp& stamp, std::string& scratch) {
    if (!message.hasData) return false;
    if (message.dataIsString && readEscapedStampFast(message.data, stamp)) return true;
    std::string_view object = message.data;
    if (message.dataIsString) {
        if (!unescapeJsonString(message.data, scratch)) return false;
        object = scratch;
    }
    std::int64_t sent = 0, seq = 0;
    if (!findIntegerMember(object, "t", sent) || !findIntegerMember(object, "s", seq) || seq < 0)
        return false;
    stamp.sentNs = sent;
    stamp.seq = static_cast<std::uint64_t>(seq);
    return true;
}

}  // namespace resound::bench
