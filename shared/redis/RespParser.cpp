#include "redis/RespParser.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <optional>
#include <string_view>

namespace resound::redis {
namespace {

// Lengths and integers are at most a sign and 19 digits; anything longer is malformed.
constexpr std::size_t kMaxNumberLine = 20;

std::optional<std::int64_t> parseInteger(std::string_view text) {
    bool negative = false;
    if (!text.empty() && text.front() == '-') {
        negative = true;
        text.remove_prefix(1);
    }
    if (text.empty() || text.size() > 19) return std::nullopt;
    std::uint64_t value = 0;
    for (char c : text) {
        if (c < '0' || c > '9') return std::nullopt;
        value = value * 10 + static_cast<std::uint64_t>(c - '0');
    }
    const auto max = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
    if (!negative) {
        if (value > max) return std::nullopt;
        return static_cast<std::int64_t>(value);
    }
    if (value > max + 1) return std::nullopt;
    return value == max + 1 ? std::numeric_limits<std::int64_t>::min() : -static_cast<std::int64_t>(value);
}

}  // namespace

RespParser::RespParser(RespLimits limits) : limits_(limits) {}

void RespParser::reset() {
    state_ = State::Type;
    type_ = 0;
    line_.clear();
    bulkRemaining_ = 0;
    bulk_ = RespValue{};
    stack_.clear();
    error_.clear();
}

bool RespParser::fail(std::string message) {
    error_ = std::move(message);
    stack_.clear();
    bulk_ = RespValue{};
    line_.clear();
    return false;
}

bool RespParser::feed(const char* data, std::size_t size, std::vector<RespValue>& out) {
    if (failed()) return false;
    std::size_t i = 0;
    while (i < size) {
        switch (state_) {
            case State::Type:
                type_ = data[i++];
                if (type_ != '+' && type_ != '-' && type_ != ':' && type_ != '$' && type_ != '*')
                    return fail("unknown RESP type byte " +
                                std::to_string(static_cast<unsigned char>(type_)));
                line_.clear();
                state_ = State::Line;
                break;
            case State::Line: {
                const auto* newline = static_cast<const char*>(std::memchr(data + i, '\n', size - i));
                const std::size_t take = newline ? static_cast<std::size_t>(newline - (data + i)) : size - i;
                const std::size_t limit =
                    (type_ == '+' || type_ == '-') ? limits_.maxLineLength : kMaxNumberLine;
                // +1: the line still carries its CR until the LF arrives.
                if (line_.size() + take > limit + 1) return fail("RESP line too long");
                line_.append(data + i, take);
                i += take;
                if (!newline) break;
                ++i;
                if (line_.empty() || line_.back() != '\r') return fail("RESP line not terminated by CRLF");
                line_.pop_back();
                if (line_.find('\r') != std::string::npos) return fail("CR inside a RESP line");
                if (!onLine(out)) return false;
                break;
            }
            case State::BulkData: {
                const std::size_t take = std::min(bulkRemaining_, size - i);
                bulk_.text.append(data + i, take);
                i += take;
                bulkRemaining_ -= take;
                if (bulkRemaining_ == 0) state_ = State::BulkCr;
                break;
            }
            case State::BulkCr:
                if (data[i++] != '\r') return fail("bulk string not followed by CRLF");
                state_ = State::BulkLf;
                break;
            case State::BulkLf:
                if (data[i++] != '\n') return fail("bulk string not followed by CRLF");
                state_ = State::Type;
                complete(std::move(bulk_), out);
                bulk_ = RespValue{};
                break;
        }
    }
    return true;
}

bool RespParser::onLine(std::vector<RespValue>& out) {
    state_ = State::Type;
    switch (type_) {
        case '+':
            complete(RespValue::simple(std::move(line_)), out);
            return true;
        case '-':
            complete(RespValue::error(std::move(line_)), out);
            return true;
        case ':': {
            const auto n = parseInteger(line_);
            if (!n) return fail("malformed RESP integer");
            complete(RespValue::number(*n), out);
            return true;
        }
        case '$': {
            const auto n = parseInteger(line_);
            if (!n || *n < -1) return fail("malformed bulk string length");
            if (*n == -1) {
                complete(RespValue{}, out);  // NullBulk
                return true;
            }
            if (static_cast<std::uint64_t>(*n) > limits_.maxBulkLength)
                return fail("bulk string over the limit");
            bulk_ = RespValue::bulk({});
            bulkRemaining_ = static_cast<std::size_t>(*n);
            // Reserve what a sane reply needs, not what a hostile header claims.
            bulk_.text.reserve(std::min<std::size_t>(bulkRemaining_, 64u << 10));
            state_ = bulkRemaining_ == 0 ? State::BulkCr : State::BulkData;
            return true;
        }
        case '*': {
            const auto n = parseInteger(line_);
            if (!n || *n < -1) return fail("malformed array length");
            if (*n == -1) {
                RespValue null;
                null.type = RespValue::Type::NullArray;
                complete(std::move(null), out);
                return true;
            }
            if (static_cast<std::uint64_t>(*n) > limits_.maxArrayLength) return fail("array over the limit");
            if (*n == 0) {
                complete(RespValue::array({}), out);
                return true;
            }
            if (stack_.size() >= limits_.maxDepth) return fail("arrays nested too deeply");
            OpenArray open{RespValue::array({}), static_cast<std::size_t>(*n)};
            open.value.elements.reserve(std::min<std::size_t>(open.remaining, 64));
            stack_.push_back(std::move(open));
            return true;
        }
        default:
            return fail("unknown RESP type");
    }
}

void RespParser::complete(RespValue value, std::vector<RespValue>& out) {
    while (!stack_.empty()) {
        OpenArray& top = stack_.back();
        top.value.elements.push_back(std::move(value));
        if (--top.remaining > 0) return;
        value = std::move(top.value);
        stack_.pop_back();
    }
    out.push_back(std::move(value));
}

}  // namespace resound::redis
