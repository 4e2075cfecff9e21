#pragma once
// The webhook part of an app's configuration (apps[].webhooks[]): the event type names a target may
// ask for, the field tables the YAML reader and the env overrides share, and the checks validate()
// runs on each target. Start-up only.
#include <span>
#include <string>
#include <string_view>

#include "config/Config.h"
#include "config/FieldSpec.h"

namespace resound::config {

// Every event type a webhook target may list in event_types, as Pusher names them.
inline constexpr std::string_view kWebhookEventTypes[] = {
    "channel_occupied", "channel_vacated", "member_added",       "member_removed",
    "client_event",     "cache_miss",      "subscription_count",
};

namespace detail {

inline constexpr long long kMaxWebhookBatchMs = 60000;

std::span<const FieldSpec<WebhookTarget>> webhookTargetFields();  // apps[i].webhooks[j].*
std::span<const FieldSpec<WebhookFilter>> webhookFilterFields();  // apps[i].webhooks[j].filter.*

// URL scheme and host, known and non-repeated event types, header names and values that cannot
// break the request or replace the signature headers. `path` is e.g. "apps[0]".
void checkWebhookTargets(const AppConfig& app, const std::string& path);

}  // namespace detail
}  // namespace resound::config
