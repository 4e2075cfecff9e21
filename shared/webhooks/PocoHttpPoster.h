#pragma once
// HttpPoster over Poco's HTTP client: keep-alive to one target, a timeout for connect, send and
// receive, Basic auth from user:password@ in the URL, https through Poco::NetSSL with the certificate
// and host name verified against the system CA store. Owned by one TargetSender thread; abort() from
// any thread.
#include <chrono>
#include <memory>
#include <mutex>

#include "webhooks/HttpPoster.h"

namespace Poco::Net {
class HTTPClientSession;
}

namespace resound::webhooks {

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
