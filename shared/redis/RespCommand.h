#pragma once
// Encodes Redis commands as RESP arrays of bulk strings (binary-safe). Pure functions, any thread.
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>

namespace resound::redis {

// Appends `*N\r\n$len\r\narg\r\n...` to `out` (several calls pipeline several commands).
void appendCommand(std::string& out, std::span<const std::string_view> args);
void appendCommand(std::string& out, std::initializer_list<std::string_view> args);

}  // namespace resound::redis
