#include "dashboard/OverviewJson.h"

#include <cmath>
#include <cstdio>
#include <type_traits>

#include "json/JsonText.h"

namespace resound::dashboard {
namespace {

std::string number(double value) {
    if (!std::isfinite(value)) return "0";
    char text[32];
    std::snprintf(text, sizeof text, "%.2f", value);
    return text;
}

template <class T>
void field(std::string& out, const char* name, T value, bool first = false) {
    if (!first) out += ',';
    out += '"';
    out += name;
    out += "\":";
    if constexpr (std::is_same_v<T, double>) {
        out += number(value);
    } else {
        out += std::to_string(value);
    }
}

}  // namespace

std::string overviewJson(const Snapshot& now, const std::optional<Sample>& base) {
    const Totals& t = now.totals;
    std::string out = "{\"time\":" + std::to_string(now.timeMs) + ",\"totals\":{";
    field(out, "connections", t.connections, true);
    field(out, "channels", t.channels);
    field(out, "messages_in", t.messagesIn);
    field(out, "messages_out", t.messagesOut);
    field(out, "api_requests", t.apiRequests);
    field(out, "api_errors", t.apiErrors);
    field(out, "webhooks_sent", t.webhooksSent);
    field(out, "webhooks_failed", t.webhooksFailed);
    field(out, "webhooks_queued", t.webhooksQueued);
    field(out, "slow_consumer_closes", t.slowConsumerCloses);
    field(out, "rate_limit_hits", t.rateLimitHits);
    const Rates rates = base ? ratesBetween(*base, Sample{now.timeMs, now.totals}) : Rates{};
    out += "},\"rates\":{";
    field(out, "messages_in", rates.messagesIn, true);
    field(out, "messages_out", rates.messagesOut);
    field(out, "api_requests", rates.apiRequests);
    field(out, "api_errors", rates.apiErrors);
    field(out, "webhooks_sent", rates.webhooksSent);
    field(out, "webhooks_failed", rates.webhooksFailed);
    out += "},\"nodes\":[";
    for (std::size_t i = 0; i < now.nodes.size(); ++i) {
        const NodeRow& node = now.nodes[i];
        if (i > 0) out += ',';
        out += "{\"id\":" + json::quoted(node.id) + ",\"service\":" + json::quoted(node.service) +
               ",\"version\":" + json::quoted(node.version) + ",\"up\":" + (node.up ? "true" : "false");
        field(out, "uptime_seconds", node.uptimeSeconds);
        field(out, "connections", node.connections);
        out += '}';
    }
    out += "],\"redis\":";
    out += !now.redisUp ? "null" : (*now.redisUp ? "\"up\"" : "\"down\"");
    out += '}';
    return out;
}

std::string historyJson(const std::vector<Sample>& samples, std::int64_t intervalMs) {
    std::string times, connections, in, out;
    for (std::size_t i = 0; i < samples.size(); ++i) {
        const char* comma = i == 0 ? "" : ",";
        const Rates rates = i == 0 ? Rates{} : ratesBetween(samples[i - 1], samples[i]);
        times += comma + std::to_string(samples[i].timeMs);
        connections += comma + std::to_string(samples[i].totals.connections);
        in += comma + number(rates.messagesIn);
        out += comma + number(rates.messagesOut);
    }
    return "{\"interval_ms\":" + std::to_string(intervalMs) + ",\"time\":[" + times + "],\"connections\":[" +
           connections + "],\"messages_in\":[" + in + "],\"messages_out\":[" + out + "]}";
}

}  // namespace resound::dashboard
