#include "service/Logging.h"

#include <spdlog/formatter.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <ctime>
#include <memory>

#include "json/JsonText.h"

namespace resound::service {
namespace {

// spdlog's pattern formatter does not escape the message, so a JSON *pattern* breaks on quotes
// (gabime/spdlog#1258); this formatter builds each line with proper JSON quoting instead.
class JsonLogFormatter final : public spdlog::formatter {
  public:
    explicit JsonLogFormatter(std::string service) : service_(std::move(service)) {}

    void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
        const auto since = msg.time.time_since_epoch();
        const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(since);
        const auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(since - seconds).count();
        const std::time_t t = static_cast<std::time_t>(seconds.count());
        std::tm utc{};
        gmtime_r(&t, &utc);
        char stamp[40];
        const std::size_t n = std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &utc);
        std::snprintf(stamp + n, sizeof stamp - n, ".%03dZ", static_cast<int>(millis));
        const auto level = spdlog::level::to_string_view(msg.level);
        const std::string line = jsonLogLine(stamp, std::string_view(level.data(), level.size()), service_,
                                             std::string_view(msg.payload.data(), msg.payload.size()));
        dest.append(line.data(), line.data() + line.size());
    }

    std::unique_ptr<spdlog::formatter> clone() const override {
        return std::make_unique<JsonLogFormatter>(service_);
    }

  private:
    std::string service_;
};

}  // namespace

std::optional<LogFormat> parseLogFormat(std::string_view text) {
    std::string lower(text);
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (lower == "text") return LogFormat::Text;
    if (lower == "json") return LogFormat::Json;
    return std::nullopt;
}

std::string jsonLogLine(std::string_view timestamp, std::string_view level, std::string_view service,
                        std::string_view message) {
    std::string line = "{\"ts\":";
    json::appendQuoted(line, timestamp);
    line += ",\"level\":";
    json::appendQuoted(line, level);
    line += ",\"svc\":";
    json::appendQuoted(line, service);
    line += ",\"msg\":";
    json::appendQuoted(line, message);
    line += "}\n";
    return line;
}

void initLogging(const std::string& service, const std::string& level, LogFormat format) {
    std::shared_ptr<spdlog::logger> logger;
    if (format == LogFormat::Json) {
        logger = spdlog::stdout_logger_mt(service);
        logger->set_formatter(std::make_unique<JsonLogFormatter>(service));
    } else {
        logger = spdlog::stderr_color_mt(service);
        logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
    }
    logger->set_level(spdlog::level::from_str(level));
    logger->flush_on(spdlog::level::info);  // container logs should not lag behind a crash
    spdlog::set_default_logger(logger);
}

}  // namespace resound::service
