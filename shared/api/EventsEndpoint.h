#pragma once
// POST /apps/{id}/events and POST /apps/{id}/batch_events: validate everything first, then publish
// (so a rejected request delivers nothing), then answer 200 with the requested `info`.
//
// Event `data` must be a string per the Pusher API; a client that sends another JSON value gets it
// serialised to compact JSON text and published as that string (what Pusher and soketi do), so
// subscribers see the same `data` either way.
#include "api/ApiContext.h"
#include "api/ApiResponse.h"

namespace resound::api {

// Body {name, data, channels[] | channel, socket_id?, info?}. Success: {} or
// {"channels":{"<ch>":{"user_count":N | "subscription_count":N},...}} when `info` is given.
ApiResponse publishEvents(const ApiContext& context);

// Body {"batch":[{name, data, channel, socket_id?, info?}, ...]}. Success: {} or, when any item has
// `info`, {"batch":[{attributes of item 0},{},...]} aligned with the request.
ApiResponse publishBatchEvents(const ApiContext& context);

}  // namespace resound::api
