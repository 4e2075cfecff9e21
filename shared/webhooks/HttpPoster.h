#pragma once
// How a webhook request leaves the process: one blocking POST with a timeout. PocoHttpPoster is the
// real one; tests use a fake. Each TargetSender owns its poster, so an implementation is used by one
// thread at a time, except abort(), which stop() may call from another thread.
#include <string>
#include <utility>
#include <vector>

namespace resound::webhooks {

struct WebhookRequest {
    std::string url;
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;  // Content-Type, X-Pusher-* and extras
};

struct PostResult {
    int status = 0;     // HTTP status; 0 when no response (connect error, timeout)
    std::string error;  // why there was no response, for logs
    bool delivered() const { return status >= 200 && status < 300; }
};

class HttpPoster {
  public:
    virtual ~HttpPoster() = default;
    virtual PostResult post(const WebhookRequest& request) = 0;
    // Makes a post() in progress return soon (shutdown). Any thread.
    virtual void abort() {}
};

}  // namespace resound::webhooks
