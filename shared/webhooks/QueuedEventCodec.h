#pragma once
// The JSON an edge puts on the Redis webhook list for the worker: one event plus its app id, e.g.
// {"app_id":"1","name":"client_event","channel":"private-a","event":"client-x","data_json":"{\"a\":1}",
//  "socket_id":"1.2","user_id":"","id":"9f..-7","created_ms":1700000000000}. The client's data travels as a
//  string so the webhook carries it
// byte for byte. Only the app id crosses the wire: the worker looks the app up in its own config, so
// no secret is ever written to Redis. Pure; any thread.
#include <optional>
#include <string>
#include <string_view>

#include "webhooks/WebhookSink.h"

namespace resound::webhooks {

struct QueuedEvent {
    std::string appId;
    WebhookEvent event;
};

std::string encodeQueuedEvent(std::string_view appId, const WebhookEvent& event);
// nullopt for anything that is not such an object (wrong JSON, unknown name, missing fields).
std::optional<QueuedEvent> decodeQueuedEvent(std::string_view json);

}  // namespace resound::webhooks
