#include "monitor/NodeStats.h"

#include <charconv>
#include <cstdlib>

namespace resound::monitor {
namespace {

std::uint64_t parseCount(const std::string& text) {
    std::uint64_t value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error == std::errc() && end == text.data() + text.size()) return value;
    // A float written by a different encoder ("12.0"); anything else counts as 0.
    char* stop = nullptr;
    const double number = std::strtod(text.c_str(), &stop);
    return (stop && *stop == '\0' && number >= 0 && number < 1.8e19) ? static_cast<std::uint64_t>(number) : 0;
}

// started_at in seconds or milliseconds since the epoch (both are in use); nullopt if not a number.
std::optional<double> parseStartTime(const std::string& text) {
    char* stop = nullptr;
    const double number = std::strtod(text.c_str(), &stop);
    if (text.empty() || !stop || *stop != '\0' || number <= 0) return std::nullopt;
    return number > 1e11 ? number / 1000.0 : number;  // 1e11 s is the year 5138; 1e11 ms is 1973
}

}  // namespace

void applyStatsHash(NodeStats& node, const std::vector<std::pair<std::string, std::string>>& fields) {
    node.hasStats = !fields.empty();
    NodeCounters& c = node.counters;
    for (const auto& [name, value] : fields) {
        if (name == "service") node.service = value;
        else if (name == "version") node.version = value;
        else if (name == "host") node.host = value;
        else if (name == "started_at") node.startedAtSeconds = parseStartTime(value);
        else if (name == "connections") c.connections = parseCount(value);
        else if (name == "channels") c.channels = parseCount(value);
        else if (name == "messages_in") c.messagesIn = parseCount(value);
        else if (name == "messages_out") c.messagesOut = parseCount(value);
        else if (name == "bytes_in") c.bytesIn = parseCount(value);
        else if (name == "bytes_out") c.bytesOut = parseCount(value);
        else if (name == "http_requests") c.httpRequests = parseCount(value);
        else if (name == "api_requests") c.apiRequests = parseCount(value);
        else if (name == "api_errors") c.apiErrors = parseCount(value);
        else if (name == "slow_consumer_closes") c.slowConsumerCloses = parseCount(value);
        else if (name == "rate_limit_hits") c.rateLimitHits = parseCount(value);
    }
}

}  // namespace resound::monitor
