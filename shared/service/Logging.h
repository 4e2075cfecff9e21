#pragma once
// Logger set-up for the bundle's services: human-readable lines on stderr (development) or one JSON
// object per line on stdout (containers: RESOUND_LOG_FORMAT=json), fields ts, level, svc, msg.
// Call once from main before any thread logs.
#include <optional>
#include <string>
#include <string_view>

namespace resound::service {

enum class LogFormat { Text, Json };

// "text" or "json" (any case); nullopt for anything else.
std::optional<LogFormat> parseLogFormat(std::string_view text);

// Installs the default spdlog logger named `service` at `level` (trace, debug, info, warn, error).
void initLogging(const std::string& service, const std::string& level, LogFormat format);

// One JSON log line for `message` (exposed for tests): {"ts":"...Z","level":"info","svc":"...","msg":"..."}.
std::string jsonLogLine(std::string_view timestamp, std::string_view level, std::string_view service,
                        std::string_view message);

}  // namespace resound::service
