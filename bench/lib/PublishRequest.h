#pragma once
// The HTTP request that publishes one event (POST /apps/{id}/events) or a batch of them
// (POST /apps/{id}/batch_events) through the Pusher HTTP API: a JSON body, signed per docs/protocol.md §2.1
// by api::signRequest. Pure functions, any thread.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace resound::bench {

struct PublishTarget {
    std::string hostHeader;  // "127.0.0.1:8080"
    std::string appId;
    std::string appKey;
    std::string appSecret;
};

// {"name":<event>,"channel":<channel>,"data":<data as a JSON string>}
std::string buildEventBody(std::string_view eventName, std::string_view channel, std::string_view data);

// {"batch":[<event body>,...]} for POST /apps/{id}/batch_events, from buildEventBody() results.
std::string buildBatchBody(const std::vector<std::string>& eventBodies);

// The whole request text: request line with the signed query, Host, Content-Type, Content-Length,
// then the body. Keep-alive is HTTP/1.1's default.
// `endpoint` is "events" or "batch_events".
std::string buildPublishRequest(const PublishTarget& target, std::string_view body, std::int64_t unixSeconds,
                                std::string_view endpoint = "events");

}  // namespace resound::bench
