#pragma once
// One RESP2 reply as parsed by RespParser: a tagged value, arrays nest. Plain data, any thread.
#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace resound::redis {

struct RespValue {
    enum class Type : std::uint8_t {
        SimpleString,  // +OK
        Error,         // -ERR ...
        Integer,       // :42
        BulkString,    // $3 foo (binary-safe)
        Array,         // *N ... (N may be 0: an empty array, not null)
        NullBulk,      // $-1
        NullArray,     // *-1
    };

    Type type = Type::NullBulk;
    std::int64_t integer = 0;         // Integer
    std::string text;                 // SimpleString, Error, BulkString
    std::vector<RespValue> elements;  // Array

    bool isError() const { return type == Type::Error; }
    bool isInteger() const { return type == Type::Integer; }
    bool isArray() const { return type == Type::Array; }
    bool isNull() const { return type == Type::NullBulk || type == Type::NullArray; }
    bool isString() const { return type == Type::SimpleString || type == Type::BulkString; }
    // An integer reply, or a bulk string that holds exactly one (what GET and HGET give for a counter).
    std::optional<std::int64_t> asInteger() const {
        if (type == Type::Integer) return integer;
        if (type != Type::BulkString) return std::nullopt;
        std::int64_t n = 0;
        const char* end = text.data() + text.size();
        const auto result = std::from_chars(text.data(), end, n);
        if (result.ec != std::errc() || result.ptr != end) return std::nullopt;
        return n;
    }
    // An error reply whose code (first word) is `code`, e.g. isErrorCode("NOSCRIPT").
    bool isErrorCode(std::string_view code) const {
        return type == Type::Error && text.size() >= code.size() && text.compare(0, code.size(), code) == 0 &&
               (text.size() == code.size() || text[code.size()] == ' ');
    }

    static RespValue simple(std::string s) { return make(Type::SimpleString, std::move(s)); }
    static RespValue error(std::string s) { return make(Type::Error, std::move(s)); }
    static RespValue bulk(std::string s) { return make(Type::BulkString, std::move(s)); }
    static RespValue number(std::int64_t n) {
        RespValue v;
        v.type = Type::Integer;
        v.integer = n;
        return v;
    }
    static RespValue array(std::vector<RespValue> items) {
        RespValue v;
        v.type = Type::Array;
        v.elements = std::move(items);
        return v;
    }

  private:
    static RespValue make(Type type, std::string s) {
        RespValue v;
        v.type = type;
        v.text = std::move(s);
        return v;
    }
};

}  // namespace resound::redis
