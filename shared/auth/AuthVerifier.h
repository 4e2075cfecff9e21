#pragma once
// resound-auth's request handling (docs/auth-verifier.md): pusher-js / Laravel Echo auth requests
// carrying a Bearer JWT are answered with the Pusher auth payload for private-, presence- and
// private-encrypted- channels and for user sign-in; plus a Traefik ForwardAuth check, CORS, health and
// metrics. Socket-free (HttpExchange in, HttpReply out); immutable after construction except for the
// counters and the draining flag, so any pool thread may call handle().
#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <variant>
#include <vector>

#include "auth/AuthFailure.h"
#include "auth/AuthMetrics.h"
#include "auth/TokenClaims.h"
#include "config/Config.h"
#include "service/HttpService.h"

namespace resound::auth {

class AuthVerifier {
  public:
    struct Options {
        int leewaySeconds = 30;               // clock skew allowed on exp / nbf / iat
        std::function<std::int64_t()> clock;  // Unix seconds; empty = the system clock
        std::string pathPrefix;               // server.path_prefix: "/ws/auth" is "/auth" too
    };

    AuthVerifier(std::vector<config::AppConfig> apps, Options options);

    service::HttpReply handle(const service::HttpExchange& request) const;

    void setDraining() { draining_.store(true, std::memory_order_relaxed); }  // /ready answers 503
    // Appends the serving process's own metrics (service::appendServiceMetrics) to /metrics. Set
    // before serving; called on the serving threads.
    void setExtraMetrics(std::function<void(std::string&)> append) { extraMetrics_ = std::move(append); }
    std::size_t tokenAppCount() const;  // apps with a jwt_secret (the others refuse every token)

  private:
    struct App {
        config::AppConfig config;
        std::string masterKey;  // decoded encryption_master_key (32 bytes), "" when not configured
    };
    struct Verified {
        const App* app = nullptr;
        TokenClaims claims;
    };

    std::variant<Verified, AuthFailure> verifyBearer(std::string_view authorization) const;
    const App* findApp(const std::vector<std::string>& candidates) const;

    service::HttpReply channelAuth(const service::HttpExchange& request, const Verified& token) const;
    service::HttpReply userAuth(const service::HttpExchange& request, const Verified& token) const;
    service::HttpReply forwardAuth(const service::HttpExchange& request) const;
    service::HttpReply refuse(const AuthFailure& failure, const service::HttpExchange& request) const;
    service::HttpReply health() const;
    service::HttpReply ready() const;

    std::vector<App> apps_;
    Options options_;
    mutable AuthMetrics metrics_;
    std::atomic<bool> draining_{false};
    std::function<void(std::string&)> extraMetrics_;
};

}  // namespace resound::auth
