#pragma once
// Query strings and percent-encoding (RFC 3986). Pure functions, any thread.
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace resound::http {

using QueryParams = std::vector<std::pair<std::string, std::string>>;

// Decodes %XX escapes (either hex case). Malformed escapes ("%", "%4", "%zz") are kept literally,
// as PHP and browsers do. With plusAsSpace ('application/x-www-form-urlencoded', query strings)
// '+' becomes a space; paths keep '+'.
std::string percentDecode(std::string_view text, bool plusAsSpace = false);

// Splits "a=1&b=2" into decoded pairs in order of appearance. Keys and values are percent-decoded
// with '+' as space; "flag" (no '=') gives an empty value; empty segments ("a=1&&b=2") are skipped.
// Repeated keys are all kept.
QueryParams parseQuery(std::string_view raw);

// Percent-encodes everything except RFC 3986 unreserved characters (A-Z a-z 0-9 - . _ ~).
std::string percentEncode(std::string_view text);
void appendPercentEncoded(std::string& out, std::string_view text);

}  // namespace resound::http
