#pragma once
// Encodes Redis commands as RESP arrays of bulk strings (binary-safe). Pure functions, any thread.
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>

namespace resound::redis {

// Appends `*N\r\n$len\r\narg\r\n...` to `out` (several calls pipeline several commands).
void appendCommand(std::string& out, std::span<const std::string_view> args);
void appendCommand(std::string& out, std::initializer_list<std::string_view> args);

// How a script call names its script: EVALSHA by its SHA1 (loaded beforehand), or EVAL with its source
// (the fallback once Redis answered NOSCRIPT).
enum class EvalVerb : std::uint8_t { EvalSha, Eval };

// Appends `VERB script numkeys key... arg...` to `out`, written straight from the pieces (no
// intermediate list of arguments). `script` is the SHA1 for EvalSha, the source for Eval. The
// std::string overload takes a ScriptCall's keys and args as they are.
void appendEval(std::string& out, EvalVerb verb, std::string_view script,
                std::span<const std::string_view> keys, std::span<const std::string_view> args);
void appendEval(std::string& out, EvalVerb verb, std::string_view script, std::span<const std::string> keys,
                std::span<const std::string> args);

}  // namespace resound::redis
