#pragma once
// POST /apps/{id}/events and POST /apps/{id}/batch_events: validate everything first, then publish
// (so a rejected request delivers nothing), then answer 200 with the requested `info`.
//
// Event `data` must be a string per the Pusher API; a client that sends another JSON value gets it
// serialised to compact JSON text and published as that string (what Pusher and soketi do), so
// subscribers see the same `data` either way.
//
// With context.backend set, the messages go to the backend and both return nullopt after a valid request:
// context.complete then receives 200 once the backend acknowledged every message, or 503 (the same
// body as a refusing bus). Without it they publish on context.bus and always return the answer.
#include <optional>

#include "api/ApiContext.h"
#include "api/ApiResponse.h"

namespace resound::api {

// Body {name, data, channels[] | channel, socket_id?, info?}. Success: {} or
// {"channels":{"<ch>":{"user_count":N | "subscription_count":N},...}} when `info` is given.
std::optional<ApiResponse> publishEvents(const ApiContext& context);

// Body {"batch":[{name, data, channel, socket_id?, info?}, ...]}. Success: {} or, when any item has
// `info`, {"batch":[{attributes of item 0},{},...]} aligned with the request.
std::optional<ApiResponse> publishBatchEvents(const ApiContext& context);

}  // namespace resound::api
