#include "http/QueryString.h"

#include <algorithm>

namespace resound::http {
namespace {

int hexValue(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

bool isUnreserved(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_' || c == '~';
}

void appendDecoded(std::string& out, std::string_view text, bool plusAsSpace) {
    out.reserve(out.size() + text.size());
    std::size_t i = 0;
    while (i < text.size()) {
        // Copy the run up to the next special character in one go.
        const std::size_t special = plusAsSpace ? text.find_first_of("%+", i) : text.find('%', i);
        if (special == std::string_view::npos) {
            out.append(text.substr(i));
            return;
        }
        out.append(text.substr(i, special - i));
        i = special;
        if (text[i] == '+') {
            out.push_back(' ');
            ++i;
        } else if (i + 2 < text.size() && hexValue(text[i + 1]) >= 0 && hexValue(text[i + 2]) >= 0) {
            out.push_back(static_cast<char>(hexValue(text[i + 1]) * 16 + hexValue(text[i + 2])));
            i += 3;
        } else {
            out.push_back('%');  // malformed escape: kept literally
            ++i;
        }
    }
}

}  // namespace

std::string percentDecode(std::string_view text, bool plusAsSpace) {
    std::string out;
    appendDecoded(out, text, plusAsSpace);
    return out;
}

QueryParams parseQuery(std::string_view raw) {
    QueryParams params;
    if (raw.empty()) return params;
    params.reserve(static_cast<std::size_t>(std::count(raw.begin(), raw.end(), '&')) + 1);
    while (!raw.empty()) {
        const std::size_t amp = raw.find('&');
        const std::string_view segment = raw.substr(0, amp);
        if (!segment.empty()) {
            const std::size_t equals = segment.find('=');
            auto& [key, value] = params.emplace_back();
            appendDecoded(key, segment.substr(0, equals), true);
            if (equals != std::string_view::npos) appendDecoded(value, segment.substr(equals + 1), true);
        }
        if (amp == std::string_view::npos) break;
        raw.remove_prefix(amp + 1);
    }
    return params;
}

void appendPercentEncoded(std::string& out, std::string_view text) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    out.reserve(out.size() + text.size());
    for (char c : text) {
        if (isUnreserved(c)) {
            out.push_back(c);
        } else {
            const auto byte = static_cast<unsigned char>(c);
            out.push_back('%');
            out.push_back(kHex[byte >> 4]);
            out.push_back(kHex[byte & 0x0F]);
        }
    }
}

std::string percentEncode(std::string_view text) {
    std::string out;
    appendPercentEncoded(out, text);
    return out;
}

}  // namespace resound::http
