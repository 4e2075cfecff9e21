#include "dashboard/Dashboard.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "dashboard/Assets.h"
#include "dashboard/BasicAuth.h"
#include "dashboard/MetricsHistory.h"
#include "dashboard/OverviewJson.h"
#include "dashboard/PublishRequest.h"
#include "dashboard/StreamHub.h"
#include "http/PathPrefix.h"
#include "http/QueryString.h"
#include "json/JsonText.h"
#include "state/ClusterState.h"

namespace resound::dashboard {
namespace {

constexpr std::string_view kRoot = "/dashboard";
constexpr std::size_t kMaxPrefixLength = 200;

using service::HttpExchange;
using service::HttpReply;
using service::jsonError;

HttpReply notFound() { return jsonError(404, "not_found", "Not found"); }

HttpReply json(std::string body) {
    HttpReply reply;
    reply.body = std::move(body);
    reply.headers.emplace_back("Cache-Control", "no-store");
    return reply;
}

HttpReply onlyMethod(std::string_view allowed) {
    HttpReply reply = jsonError(405, "method_not_allowed", "Use " + std::string(allowed) + " for this path");
    reply.headers.emplace_back("Allow", std::string(allowed));
    return reply;
}

std::string param(const http::QueryParams& params, std::string_view name) {
    for (const auto& [key, value] : params) {
        if (key == name) return value;
    }
    return {};
}

std::string htmlEscaped(std::string_view text) {
    std::string out;
    for (char c : text) {
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            case '\'':
                out += "&#39;";
                break;
            default:
                out += c;
        }
    }
    return out;
}

// Headers every page and asset carries: no framing, no sniffing, scripts and styles only from us.
void addPageHeaders(HttpReply& reply) {
    reply.headers.emplace_back(
        "Content-Security-Policy",
        "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
        "frame-ancestors 'none'; form-action 'self'");
    reply.headers.emplace_back("X-Content-Type-Options", "nosniff");
    reply.headers.emplace_back("X-Frame-Options", "DENY");
    reply.headers.emplace_back("Referrer-Policy", "no-referrer");
    reply.headers.emplace_back("Cache-Control", "no-cache");
}

// The Origin header's host[:port], or "" when it has none.
std::string_view originHost(std::string_view origin) {
    const std::size_t scheme = origin.find("://");
    return scheme == std::string_view::npos ? std::string_view() : origin.substr(scheme + 3);
}

std::int64_t nowMs() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

}  // namespace

class Dashboard::Impl {
  public:
    Impl(const Options& options, DashboardBackend& backend)
        : options_(options),
          backend_(backend),
          auth_(options.password),
          history_(options.historySize),
          streams_(options.streamQueueLimit, options.maxStreams) {}

    ~Impl() { stop(); }

    void start() {
        std::lock_guard lock(mutex_);
        if (thread_.joinable()) return;
        stopping_ = false;
        thread_ = std::thread([this] { run(); });
    }

    void stop() {
        {
            std::lock_guard lock(mutex_);
            if (!thread_.joinable()) return;
            stopping_ = true;
        }
        wake_.notify_all();
        thread_.join();
        streams_.closeAll();
    }

    HttpReply handle(const HttpExchange& exchange, std::string_view path);
    HttpReply route(const HttpExchange& exchange, std::string_view path);

  private:
    void run();
    void sample();
    HttpReply page() const;
    HttpReply asset(std::string_view name) const;
    HttpReply overview();
    HttpReply apps();
    HttpReply channels(const http::QueryParams& params);
    HttpReply channel(const http::QueryParams& params);
    HttpReply publish(const HttpExchange& exchange);
    HttpReply stream(const HttpExchange& exchange, const http::QueryParams& params);
    std::optional<HttpReply> unknownApp(const std::string& appId);
    std::string currentOverview();

    const Options& options_;
    DashboardBackend& backend_;
    BasicAuth auth_;
    MetricsHistory history_;
    StreamHub streams_;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    std::thread thread_;
};

void Dashboard::Impl::run() {
    auto nextSample = std::chrono::steady_clock::now();
    std::unique_lock lock(mutex_);
    while (!stopping_) {
        lock.unlock();
        if (std::chrono::steady_clock::now() >= nextSample) {
            try {
                sample();
            } catch (const std::exception& e) {
                spdlog::warn("dashboard: reading the counters failed: {}", e.what());
            }
            nextSample += options_.sampleInterval;
            // After a stall, sample again from now instead of catching up in a burst.
            nextSample = std::max(nextSample, std::chrono::steady_clock::now());
        }
        streams_.pump();
        lock.lock();
        wake_.wait_for(lock, options_.pumpInterval, [this] { return stopping_; });
    }
}

void Dashboard::Impl::sample() {
    Snapshot snapshot = backend_.snapshot();
    if (snapshot.timeMs == 0) snapshot.timeMs = nowMs();
    const auto base = history_.before(snapshot.timeMs, 500);
    history_.add(Sample{snapshot.timeMs, snapshot.totals});
    if (streams_.size() > 0) streams_.broadcast(sseEvent("overview", overviewJson(snapshot, base)));
}

std::string Dashboard::Impl::currentOverview() {
    // Read now, not the last sample: the page's numbers agree with /metrics at the same moment.
    Snapshot snapshot = backend_.snapshot();
    if (snapshot.timeMs == 0) snapshot.timeMs = nowMs();
    return overviewJson(snapshot, history_.before(snapshot.timeMs, 500));
}

HttpReply Dashboard::Impl::page() const {
    const Asset* index = findAsset("index.html");
    if (!index) return jsonError(500, "internal_error", "the dashboard page is missing from this build");
    const std::string base = htmlEscaped(options_.pathPrefix + std::string(kRoot));
    std::string html(index->body);
    for (std::size_t at = html.find("{{BASE}}"); at != std::string::npos; at = html.find("{{BASE}}", at)) {
        html.replace(at, 8, base);
        at += base.size();
    }
    HttpReply reply;
    reply.contentType = std::string(index->contentType);
    reply.body = std::move(html);
    addPageHeaders(reply);
    return reply;
}

HttpReply Dashboard::Impl::asset(std::string_view name) const {
    const Asset* found = name == "index.html" ? nullptr : findAsset(name);
    if (!found) return notFound();
    HttpReply reply;
    reply.contentType = std::string(found->contentType);
    reply.body = std::string(found->body);
    addPageHeaders(reply);
    return reply;
}

HttpReply Dashboard::Impl::overview() {
    const auto interval = static_cast<std::int64_t>(options_.sampleInterval.count());
    return json("{\"now\":" + currentOverview() +
                ",\"history\":" + historyJson(history_.samples(), interval) + "}");
}

HttpReply Dashboard::Impl::apps() {
    std::string body = "{\"apps\":[";
    const auto ids = backend_.appIds();
    for (std::size_t i = 0; i < ids.size(); ++i) {
        if (i > 0) body += ',';
        json::appendQuoted(body, ids[i]);
    }
    return json(body + "]}");
}

std::optional<HttpReply> Dashboard::Impl::unknownApp(const std::string& appId) {
    if (appId.empty()) return jsonError(400, "missing_app", "Give the app id: ?app=<id>");
    const auto ids = backend_.appIds();
    if (std::find(ids.begin(), ids.end(), appId) == ids.end()) {
        return jsonError(404, "unknown_app", "No app with id " + json::quoted(appId));
    }
    return std::nullopt;
}

HttpReply Dashboard::Impl::channels(const http::QueryParams& params) {
    const std::string appId = param(params, "app");
    if (auto problem = unknownApp(appId)) return *problem;
    const std::string prefix = param(params, "prefix");
    if (prefix.size() > kMaxPrefixLength) {
        return jsonError(400, "bad_prefix", "The prefix is longer than 200 characters (no channel name is)");
    }
    std::size_t page = 1;
    const std::string pageText = param(params, "page");
    if (!pageText.empty()) {
        std::size_t value = 0;
        bool ok = pageText.size() <= 9;
        for (char c : pageText) ok = ok && c >= '0' && c <= '9';
        if (ok) value = static_cast<std::size_t>(std::stoul(pageText));
        if (!ok || value == 0) return jsonError(400, "bad_page", "page is a number from 1");
        page = value;
    }
    const auto all = backend_.channels(appId, prefix);
    const std::size_t perPage = std::max<std::size_t>(options_.channelsPerPage, 1);
    const std::size_t first = std::min(all.size(), (page - 1) * perPage);
    const std::size_t last = std::min(all.size(), first + perPage);
    std::string body = "{\"app\":" + json::quoted(appId) + ",\"prefix\":" + json::quoted(prefix) +
                       ",\"page\":" + std::to_string(page) + ",\"per_page\":" + std::to_string(perPage) +
                       ",\"total\":" + std::to_string(all.size()) + ",\"channels\":[";
    for (std::size_t i = first; i < last; ++i) {
        if (i > first) body += ',';
        body += "{\"name\":" + json::quoted(all[i].name) +
                ",\"subscription_count\":" + std::to_string(all[i].subscriptionCount) +
                ",\"user_count\":" + std::to_string(all[i].userCount) + "}";
    }
    return json(body + "]}");
}

HttpReply Dashboard::Impl::channel(const http::QueryParams& params) {
    const std::string appId = param(params, "app");
    if (auto problem = unknownApp(appId)) return *problem;
    const std::string name = param(params, "name");
    if (name.empty() || name.size() > kMaxPrefixLength) {
        return jsonError(400, "bad_channel", "Give the channel: ?name=<channel>");
    }
    std::optional<state::ChannelSummary> summary;
    for (auto& candidate : backend_.channels(appId, name)) {
        if (candidate.name == name) summary = std::move(candidate);
    }
    std::string body = "{\"app\":" + json::quoted(appId) + ",\"name\":" + json::quoted(name) +
                       ",\"occupied\":" + (summary ? "true" : "false") +
                       ",\"subscription_count\":" + std::to_string(summary ? summary->subscriptionCount : 0) +
                       ",\"user_count\":" + std::to_string(summary ? summary->userCount : 0) +
                       ",\"members\":[";
    if (name.rfind("presence-", 0) == 0) {
        const auto members = backend_.members(appId, name);
        for (std::size_t i = 0; i < members.size(); ++i) {
            if (i > 0) body += ',';
            // As text: what the client sent, shown, never interpreted by the page.
            body += "{\"id\":" + json::quoted(members[i].idJson) +
                    ",\"info\":" + json::quoted(members[i].infoJson) + "}";
        }
    }
    body += "],\"cached\":";
    const auto cached = backend_.cachedEvent(appId, name);
    if (cached) {
        body += "{\"message\":" + json::quoted(cached->eventJson) +
                ",\"ttl_seconds\":" + std::to_string(cached->ttlSecondsLeft) + "}";
    } else {
        body += "null";
    }
    return json(body + "}");
}

HttpReply Dashboard::Impl::publish(const HttpExchange& exchange) {
    // Cross-site request forgery: a form on another site can neither send this header nor a JSON
    // content type without a CORS preflight, which nothing here answers.
    const std::string_view contentType = exchange.header("content-type");
    if (contentType.substr(0, 16) != "application/json") {
        return jsonError(415, "unsupported_media_type", "Send the event as Content-Type: application/json");
    }
    if (exchange.header("x-resound-dashboard") != "1") {
        return jsonError(403, "forbidden",
                         "Missing the X-Resound-Dashboard: 1 header the dashboard page sends");
    }
    const std::string_view origin = exchange.header("origin");
    if (!origin.empty() && originHost(origin) != exchange.header("host")) {
        return jsonError(403, "forbidden",
                         "Cross-origin publish refused: the Origin is not this dashboard's host");
    }
    auto parsed = parsePublishRequest(exchange.body);
    if (auto* problem = std::get_if<PublishProblem>(&parsed)) {
        return jsonError(problem->status, "bad_request", problem->message);
    }
    const auto& request = std::get<PublishRequest>(parsed);
    if (auto problem = unknownApp(request.appId)) return *problem;
    const PublishOutcome outcome =
        backend_.publish(request.appId, request.channel, request.event, request.data);
    if (!outcome.ok) {
        return jsonError(outcome.status >= 400 ? outcome.status : 500, "publish_failed", outcome.error);
    }
    return json("{\"ok\":true,\"channel\":" + json::quoted(request.channel) + ",\"event\":" +
                json::quoted(request.event) + ",\"bytes\":" + std::to_string(request.data.size()) + "}");
}

HttpReply Dashboard::Impl::stream(const HttpExchange& exchange, const http::QueryParams& params) {
    std::optional<DebugFilter> filter;
    const std::string appId = param(params, "app");
    if (!appId.empty()) {
        if (auto problem = unknownApp(appId)) return *problem;
        DebugFilter wanted;
        wanted.appId = appId;
        wanted.channel = param(params, "channel");
        wanted.event = param(params, "event");
        if (auto problem = wanted.problem()) return jsonError(400, "bad_filter", *problem);
        filter = std::move(wanted);
    }
    if (streams_.full()) {
        return jsonError(503, "too_many_streams", "Too many dashboard pages are open; close one and reload");
    }
    auto stream = exchange.openStream(200, "text/event-stream; charset=utf-8",
                                      {{"Cache-Control", "no-store"}, {"X-Accel-Buffering", "no"}});
    if (!stream) return jsonError(500, "internal_error", "this server cannot hold a stream open here");
    // The first bytes right away: the browser's EventSource reports "open", and the page has numbers.
    stream->push("retry: 2000\n\n" + sseEvent("overview", currentOverview()));
    streams_.add(std::move(stream), filter ? &backend_.tap() : nullptr, std::move(filter));
    return {};
}

HttpReply Dashboard::Impl::handle(const HttpExchange& exchange, std::string_view path) {
    // Any route that reads the cluster's state answers 503 while it cannot be read (Redis down).
    try {
        return route(exchange, path);
    } catch (const state::StateUnavailable& e) {
        return jsonError(503, state::kStateUnavailableReason,
                         std::string(e.what()) + ": retry when Redis is back");
    }
}

HttpReply Dashboard::Impl::route(const HttpExchange& exchange, std::string_view path) {
    if (!auth_.accepts(exchange.header("authorization")))
        return BasicAuth::challenge(exchange.header("authorization"));
    const bool read = exchange.method == "GET" || exchange.method == "HEAD";
    if (path == kRoot || path == "/dashboard/") return read ? page() : onlyMethod("GET");
    const std::string_view rest = path.substr(kRoot.size());
    if (rest.rfind("/assets/", 0) == 0) return read ? asset(rest.substr(8)) : onlyMethod("GET");
    if (rest == "/api/publish") return exchange.method == "POST" ? publish(exchange) : onlyMethod("POST");
    if (rest.rfind("/api/", 0) != 0) return notFound();
    if (!read) return onlyMethod("GET");
    const http::QueryParams params = http::parseQuery(exchange.query);
    if (rest == "/api/overview") return overview();
    if (rest == "/api/apps") return apps();
    if (rest == "/api/channels") return channels(params);
    if (rest == "/api/channel") return channel(params);
    if (rest == "/api/stream") return stream(exchange, params);
    return notFound();
}

Dashboard::Dashboard(Options options, DashboardBackend& backend)
    : options_(std::move(options)), impl_(std::make_unique<Impl>(options_, backend)) {}

Dashboard::~Dashboard() { stop(); }

void Dashboard::start() {
    if (enabled()) impl_->start();
}

void Dashboard::stop() { impl_->stop(); }

bool Dashboard::owns(std::string_view path) {
    return path.substr(0, kRoot.size()) == kRoot &&
           (path.size() == kRoot.size() || path[kRoot.size()] == '/');
}

HttpReply Dashboard::handle(const HttpExchange& exchange) {
    const std::string_view path = http::stripPathPrefix(exchange.path, options_.pathPrefix);
    if (!enabled() || !owns(path)) return notFound();
    return impl_->handle(exchange, path);
}

}  // namespace resound::dashboard
