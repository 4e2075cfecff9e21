#pragma once
// Which event kinds an app's webhook targets need, as a bit set, so emitters can drop the rest before
// taking any lock. A target that wants channel_vacated (member_removed) also needs channel_occupied
// (member_added): they cancel a held leave within the grace period. Pure; any thread.
#include <cstdint>
#include <vector>

#include "config/Config.h"
#include "webhooks/WebhookSink.h"

namespace resound::webhooks {

constexpr std::uint32_t kindBit(WebhookEvent::Kind kind) { return 1u << static_cast<unsigned>(kind); }

// The kinds one target asked for (event_types), without the implied joins.
std::uint32_t targetKinds(const config::WebhookTarget& target);
// The kinds any target of the app needs, joins implied by leaves included.
std::uint32_t appInterest(const config::AppConfig& app);
// Whether any app has a webhook target at all (else no webhook machinery is started).
bool anyWebhookTargets(const std::vector<config::AppConfig>& apps);

}  // namespace resound::webhooks
