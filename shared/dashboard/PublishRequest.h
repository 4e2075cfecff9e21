#pragma once
// The test-event form's POST body, {"app","channel","event","data"}, read and checked with the HTTP
// API's rules: a valid channel name (not private-encrypted-: the server would have to encrypt), an
// event name of 1-200 characters that is not a pusher: one, data as a string (other JSON is sent as
// its text, as the API does). The data's size against the app's max_event_payload_bytes is the
// backend's check (it knows the app). Pure function, any thread.
#include <string>
#include <string_view>
#include <variant>

namespace resound::dashboard {

struct PublishRequest {
    std::string appId;
    std::string channel;
    std::string event;
    std::string data;
};

struct PublishProblem {
    int status = 400;
    std::string message;
};

std::variant<PublishRequest, PublishProblem> parsePublishRequest(std::string_view body);

}  // namespace resound::dashboard
