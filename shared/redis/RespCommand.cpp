#include "redis/RespCommand.h"

#include <charconv>

namespace resound::redis {
namespace {

void appendHeader(std::string& out, char type, std::size_t n) {
    char digits[24];
    const auto result = std::to_chars(digits, digits + sizeof digits, n);
    out += type;
    out.append(digits, result.ptr);
    out += "\r\n";
}

template <typename Range>
void appendAll(std::string& out, const Range& args, std::size_t count) {
    appendHeader(out, '*', count);
    for (std::string_view arg : args) {
        appendHeader(out, '$', arg.size());
        out.append(arg);
        out += "\r\n";
    }
}

}  // namespace

void appendCommand(std::string& out, std::span<const std::string_view> args) {
    appendAll(out, args, args.size());
}

void appendCommand(std::string& out, std::initializer_list<std::string_view> args) {
    appendAll(out, args, args.size());
}

}  // namespace resound::redis
