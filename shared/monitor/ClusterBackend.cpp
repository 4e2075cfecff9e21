#include "monitor/ClusterBackend.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <stdexcept>

#include "api/EventPublisher.h"
#include "pusher/ChannelName.h"
#include "util/Version.h"

namespace resound::monitor {

namespace {

constexpr std::size_t kMaxEventNameLength = 200;

std::int64_t unixMs() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

dashboard::PublishOutcome refused(int status, std::string why) { return {false, status, std::move(why)}; }

}  // namespace

dashboard::Snapshot clusterSnapshot(const ClusterPoller::View& view, const ReportOptions& options) {
    const ClusterSnapshot& cluster = view.snapshot;
    dashboard::Snapshot out;
    out.timeMs = cluster.redisTimeMs > 0 ? cluster.redisTimeMs : unixMs();
    out.redisUp = view.everRead && cluster.redisUp;
    if (!cluster.redisUp) return out;  // nothing is known about the nodes (as /metrics)
    for (const NodeStats& node : cluster.nodes) {
        dashboard::NodeRow row;
        row.id = node.node;
        row.service = node.service.empty() ? "unknown" : node.service;
        row.version = node.version;
        row.up = isUp(node, cluster, options);
        if (node.startedAtSeconds && row.up) {
            const double uptime = cluster.redisTimeMs / 1000.0 - *node.startedAtSeconds;
            row.uptimeSeconds = uptime > 0 ? static_cast<std::int64_t>(std::floor(uptime)) : 0;
        }
        row.connections = row.up ? static_cast<std::int64_t>(node.counters.connections) : 0;
        out.nodes.push_back(std::move(row));
    }
    const ClusterSummary summary = summarize(cluster, options);
    dashboard::Totals& t = out.totals;
    t.connections = static_cast<std::int64_t>(summary.totals.connections);
    t.channels = static_cast<std::int64_t>(summary.totals.channels);
    t.messagesIn = summary.totals.messagesIn;
    t.messagesOut = summary.totals.messagesOut;
    t.apiRequests = summary.totals.apiRequests;
    t.apiErrors = summary.totals.apiErrors;
    t.slowConsumerCloses = summary.totals.slowConsumerCloses;
    t.rateLimitHits = summary.totals.rateLimitHits;
    return out;
}

void addWebhookTotals(dashboard::Totals& totals, const webhooks::WebhookMetrics& metrics) {
    for (std::size_t i = 0; i < metrics.appCount(); ++i) {
        const auto& app = metrics.app(i);
        totals.webhooksSent += app.sent.load(std::memory_order_relaxed);
        totals.webhooksFailed += app.failed.load(std::memory_order_relaxed);
        totals.webhooksQueued += app.queued.load(std::memory_order_relaxed);
    }
}

dashboard::Snapshot ClusterBackend::snapshot() {
    dashboard::Snapshot out = clusterSnapshot(parts_.view(), parts_.report);
    if (parts_.webhooks) addWebhookTotals(out.totals, *parts_.webhooks);
    if (!parts_.node.empty()) {
        // The monitor heartbeats no node entry (it mutates no cluster state), so it is the one row
        // Redis does not list: up, since it is answering.
        dashboard::NodeRow self;
        self.id = parts_.node;
        self.service = "resound-monitor";
        self.version = kVersion;
        self.uptimeSeconds =
            parts_.startedAtMs > 0 ? std::max<std::int64_t>(0, (unixMs() - parts_.startedAtMs) / 1000) : 0;
        out.nodes.push_back(std::move(self));
    }
    return out;
}

std::vector<std::string> ClusterBackend::appIds() {
    std::vector<std::string> ids;
    for (const auto& app : parts_.apps.all()) ids.push_back(app.id);
    return ids;
}

std::vector<state::ChannelSummary> ClusterBackend::channels(const std::string& appId,
                                                            const std::string& prefix) {
    auto list = parts_.state.channels(appId, prefix);
    std::sort(list.begin(), list.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
    return list;
}

std::vector<state::PresenceMember> ClusterBackend::members(const std::string& appId,
                                                           const std::string& channel) {
    return parts_.state.presenceMembers(appId, channel);
}

std::optional<state::CachedEvent> ClusterBackend::cachedEvent(const std::string& appId,
                                                              const std::string& channel) {
    return parts_.state.cachedEvent(appId, channel);
}

dashboard::PublishOutcome ClusterBackend::publish(const std::string& appId, const std::string& channel,
                                                  const std::string& event, const std::string& data) {
    const config::AppConfig* app = parts_.apps.byId(appId);
    if (!app) return refused(404, "No app with this id");
    if (!pusher::isValidChannelName(channel)) {
        return refused(400, "Invalid channel name: up to 200 of A-Z a-z 0-9 _ - = @ , . ;");
    }
    if (event.empty() || event.size() > kMaxEventNameLength) {
        return refused(400, "The event name must be 1 to 200 characters");
    }
    if (app->maxEventPayloadBytes > 0 && data.size() > app->maxEventPayloadBytes) {
        return refused(413, "The data is larger than the app's limit of " +
                                std::to_string(app->maxEventPayloadBytes) + " bytes");
    }
    bool ok = false;
    try {
        ok = api::publishEvent(*app, parts_.state, parts_.bus, api::quoteEvent(event, data), channel, "");
    } catch (const std::exception& e) {
        spdlog::warn("dashboard publish failed app={} channel={}: {}", appId, channel, e.what());
    }
    if (!ok) return refused(503, "The event could not be handed to Redis: retry");
    if (parts_.tap.wants(appId, channel, event)) {
        dashboard::DebugEvent debug;
        debug.kind = dashboard::DebugEvent::Kind::ApiEvent;
        debug.timeMs = unixMs();
        debug.appId = appId;
        debug.node = parts_.node;
        debug.channel = channel;
        debug.event = event;
        debug.bytes = data.size();
        debug.detail = dashboard::previewOf(data);
        parts_.tap.emit(debug);
    }
    return {true, 200, {}};
}

}  // namespace resound::monitor
