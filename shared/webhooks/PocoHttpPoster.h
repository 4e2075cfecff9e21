#pragma once
// HttpPoster over Poco's HTTP client: keep-alive to one target, a timeout for connect, send and
// receive, Basic auth from user:password@ in the URL, https through Poco::NetSSL when the build links
// it (RESOUND_WEBHOOKS_HTTPS). Owned by one TargetSender thread; abort() from any thread.
#include <chrono>
#include <memory>
#include <mutex>

#include "webhooks/HttpPoster.h"

namespace Poco::Net {
class HTTPClientSession;
}

namespace resound::webhooks {

// Whether https:// targets can be served by this build.
bool httpsSupported();

class PocoHttpPoster final : public HttpPoster {
  public:
    explicit PocoHttpPoster(std::chrono::milliseconds timeout);
    ~PocoHttpPoster() override;

    PostResult post(const WebhookRequest& request) override;
    void abort() override;

  private:
    PostResult attempt(const WebhookRequest& request);
    void openSession(const std::string& scheme, const std::string& host, unsigned short port);

    std::chrono::milliseconds timeout_;
    std::mutex sessionMutex_;  // guards session_ against abort()
    std::unique_ptr<Poco::Net::HTTPClientSession> session_;
    std::string sessionOrigin_;  // scheme://host:port the session is connected to
    bool aborted_ = false;
};

}  // namespace resound::webhooks
