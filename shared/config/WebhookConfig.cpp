#include "config/WebhookConfig.h"

#include <algorithm>
#include <cctype>

#include "config/ScalarParsing.h"

namespace resound::config::detail {
namespace {

using T = WebhookTarget;
const FieldSpec<T> kTarget[] = {
    {.key = "url", .envVar = "RESOUND_APP_WEBHOOK_URL", .member = &T::url, .required = true},
    {.key = "event_types", .envVar = "RESOUND_APP_WEBHOOK_EVENTS", .member = &T::eventTypes},
    {.key = "batch_ms",
     .envVar = "RESOUND_APP_WEBHOOK_BATCH_MS",
     .member = &T::batchMs,
     .max = kMaxWebhookBatchMs},  // 0 = no batching
};

using F = WebhookFilter;
const FieldSpec<F> kFilter[] = {
    {.key = "channel_name_starts_with", .member = &F::channelNameStartsWith},
    {.key = "channel_name_ends_with", .member = &F::channelNameEndsWith},
};

// Headers the sender writes itself: a configured copy would break the request or the signature check.
constexpr std::string_view kReservedHeaders[] = {
    "content-type",       "content-length",       "host", "transfer-encoding", "connection", "x-pusher-key",
    "x-pusher-signature", "x-resound-webhook-id",
};

std::string lower(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

bool isTokenChar(unsigned char c) {
    return std::isalnum(c) ||
           std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
}

void checkUrl(const std::string& url, const std::string& name) {
    const std::size_t separator = url.find("://");
    const std::string scheme = separator == std::string::npos ? "" : lower(url.substr(0, separator));
    if (scheme != "http" && scheme != "https") {
        failField(name, quoted(url) + " must start with http:// or https://");
    }
    const std::string_view rest = std::string_view(url).substr(separator + 3);
    const std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
    const std::size_t at = authority.rfind('@');
    const std::string_view hostPort = at == std::string_view::npos ? authority : authority.substr(at + 1);
    if (hostPort.empty() || hostPort.front() == ':') failField(name, quoted(url) + " has no host");
    if (url.find_first_of(" \t\r\n") != std::string::npos) failField(name, quoted(url) + " contains spaces");
}

void checkEventTypes(const WebhookTarget& target, const std::string& name) {
    for (std::size_t i = 0; i < target.eventTypes.size(); ++i) {
        const std::string& type = target.eventTypes[i];
        const std::string itemName = name + "[" + std::to_string(i) + "]";
        if (std::find(std::begin(kWebhookEventTypes), std::end(kWebhookEventTypes), type) ==
            std::end(kWebhookEventTypes)) {
            std::string known;
            for (const std::string_view t : kWebhookEventTypes)
                known += (known.empty() ? "" : ", ") + std::string(t);
            failField(itemName, quoted(type) + " is not an event type (one of " + known + ")");
        }
        if (std::find(target.eventTypes.begin(), target.eventTypes.begin() + static_cast<long>(i), type) !=
            target.eventTypes.begin() + static_cast<long>(i)) {
            failField(itemName, quoted(type) + " is listed twice");
        }
    }
}

void checkHeaders(const WebhookTarget& target, const std::string& path) {
    for (const auto& [header, value] : target.headers) {
        const std::string name = path + ".headers." + header;
        if (header.empty() || !std::all_of(header.begin(), header.end(), isTokenChar)) {
            failField(name, "not a valid header name");
        }
        const std::string folded = lower(header);
        if (std::find(std::begin(kReservedHeaders), std::end(kReservedHeaders), folded) !=
            std::end(kReservedHeaders)) {
            failField(name, "set by Resound itself and cannot be configured");
        }
        if (value.find_first_of("\r\n") != std::string::npos || value.find('\0') != std::string::npos) {
            failField(name, "the value must be one line");
        }
    }
}

}  // namespace

std::span<const FieldSpec<WebhookTarget>> webhookTargetFields() { return kTarget; }
std::span<const FieldSpec<WebhookFilter>> webhookFilterFields() { return kFilter; }

void checkWebhookTargets(const AppConfig& app, const std::string& path) {
    for (std::size_t i = 0; i < app.webhooks.size(); ++i) {
        const WebhookTarget& target = app.webhooks[i];
        const std::string targetPath = path + ".webhooks[" + std::to_string(i) + "]";
        for (const auto& field : kTarget)
            checkField(field, target, targetPath + "." + std::string(field.key));
        checkUrl(target.url, targetPath + ".url");
        checkEventTypes(target, targetPath + ".event_types");
        checkHeaders(target, targetPath);
    }
}

}  // namespace resound::config::detail
