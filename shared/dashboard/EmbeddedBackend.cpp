#include "dashboard/EmbeddedBackend.h"

#include <algorithm>

#include "api/EventPublisher.h"
#include "util/Version.h"
#include "webhooks/WebhookMetrics.h"

namespace resound::dashboard {
namespace {

std::int64_t unixMs() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

template <class Field>
auto sumLoops(const metrics::Metrics& metrics, Field field) {
    decltype((metrics.loop(0).*field).load()) total = 0;
    for (std::size_t i = 0; i < metrics.loopCount(); ++i)
        total += (metrics.loop(i).*field).load(std::memory_order_relaxed);
    return total;
}

}  // namespace

Totals totalsOf(const metrics::Metrics& metrics, const webhooks::WebhookMetrics* webhooks) {
    Totals totals;
    totals.connections = metrics.connections();
    totals.channels = sumLoops(metrics, &metrics::LoopCounters::localChannels);
    totals.messagesIn = sumLoops(metrics, &metrics::LoopCounters::messagesIn);
    totals.messagesOut = sumLoops(metrics, &metrics::LoopCounters::messagesOut);
    totals.apiRequests = metrics.apiRequests();
    totals.apiErrors = metrics.apiErrors();
    totals.slowConsumerCloses = metrics.slowConsumerCloses();
    totals.rateLimitHits = metrics.rateLimitHits();
    if (webhooks) {
        for (std::size_t i = 0; i < webhooks->appCount(); ++i) {
            const auto& app = webhooks->app(i);
            totals.webhooksSent += app.sent.load(std::memory_order_relaxed);
            totals.webhooksFailed += app.failed.load(std::memory_order_relaxed);
            totals.webhooksQueued += app.queued.load(std::memory_order_relaxed);
        }
    }
    return totals;
}

EmbeddedBackend::EmbeddedBackend(Sources sources) : sources_(std::move(sources)) {}

Snapshot EmbeddedBackend::snapshot() {
    Snapshot snapshot;
    snapshot.timeMs = unixMs();
    snapshot.totals = totalsOf(sources_.metrics, sources_.webhooks);
    NodeRow node;
    node.id = sources_.nodeId;
    node.service = sources_.serviceName;
    node.version = kVersion;
    node.uptimeSeconds =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - startedAt_)
            .count();
    node.connections = snapshot.totals.connections;
    snapshot.nodes.push_back(std::move(node));
    return snapshot;
}

std::vector<std::string> EmbeddedBackend::appIds() {
    std::vector<std::string> ids;
    for (const auto& app : sources_.apps.all()) ids.push_back(app.id);
    return ids;
}

std::vector<state::ChannelSummary> EmbeddedBackend::channels(const std::string& appId,
                                                             const std::string& prefix) {
    auto list = sources_.state.channels(appId, prefix);
    std::sort(list.begin(), list.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
    return list;
}

std::vector<state::PresenceMember> EmbeddedBackend::members(const std::string& appId,
                                                            const std::string& channel) {
    return sources_.state.presenceMembers(appId, channel);
}

std::optional<state::CachedEvent> EmbeddedBackend::cachedEvent(const std::string& appId,
                                                               const std::string& channel) {
    return sources_.state.cachedEvent(appId, channel);
}

PublishOutcome EmbeddedBackend::publish(const std::string& appId, const std::string& channel,
                                        const std::string& event, const std::string& data) {
    const config::AppConfig* app = sources_.apps.byId(appId);
    if (!app) return {false, 404, "No app with this id"};
    if (data.size() > app->maxEventPayloadBytes) {
        return {false, 413,
                "Event data is " + std::to_string(data.size()) + " bytes; this app allows at most " +
                    std::to_string(app->maxEventPayloadBytes) + " (max_event_payload_bytes)"};
    }
    if (!api::publishEvent(*app, sources_.state, sources_.bus, api::quoteEvent(event, data), channel, {})) {
        return {false, 503, "The message bus did not take the event; try again"};
    }
    sources_.metrics.countHttpPublished(1);
    if (sources_.tap.wants(appId, channel, event)) {
        DebugEvent debug;
        debug.kind = DebugEvent::Kind::ApiEvent;
        debug.timeMs = unixMs();
        debug.appId = appId;
        debug.channel = channel;
        debug.event = event;
        debug.bytes = data.size();
        debug.detail = "test event from the dashboard: " + previewOf(data);
        sources_.tap.emit(debug);
    }
    return {true, 200, ""};
}

}  // namespace resound::dashboard
