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

void appendBulkString(std::string& out, std::string_view arg) {
    appendHeader(out, '$', arg.size());
    out.append(arg);
    out += "\r\n";
}

template <typename Range>
void appendBulkStrings(std::string& out, const Range& args) {
    for (std::string_view arg : args) appendBulkString(out, arg);
}

template <typename Range>
void appendAll(std::string& out, const Range& args, std::size_t count) {
    appendHeader(out, '*', count);
    appendBulkStrings(out, args);
}

template <typename Strings>
void appendEvalOf(std::string& out, EvalVerb verb, std::string_view script, const Strings& keys,
                  const Strings& args) {
    appendHeader(out, '*', 3 + keys.size() + args.size());
    appendBulkString(out, verb == EvalVerb::EvalSha ? "EVALSHA" : "EVAL");
    appendBulkString(out, script);
    char digits[24];
    const auto numKeys = std::to_chars(digits, digits + sizeof digits, keys.size());
    appendBulkString(out, std::string_view(digits, static_cast<std::size_t>(numKeys.ptr - digits)));
    appendBulkStrings(out, keys);
    appendBulkStrings(out, args);
}

}  // namespace

void appendCommand(std::string& out, std::span<const std::string_view> args) {
    appendAll(out, args, args.size());
}

void appendCommand(std::string& out, std::initializer_list<std::string_view> args) {
    appendAll(out, args, args.size());
}

void appendEval(std::string& out, EvalVerb verb, std::string_view script,
                std::span<const std::string_view> keys, std::span<const std::string_view> args) {
    appendEvalOf(out, verb, script, keys, args);
}

void appendEval(std::string& out, EvalVerb verb, std::string_view script, std::span<const std::string> keys,
                std::span<const std::string> args) {
    appendEvalOf(out, verb, script, keys, args);
}

}  // namespace resound::redis
