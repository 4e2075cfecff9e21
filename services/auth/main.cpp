// resound-auth: the auth verifier (docs/auth-verifier.md). Browsers present a Bearer JWT issued by the
// Laravel app; the verifier answers pusher-js / Laravel Echo channel and user auth requests with the
// Pusher auth payload, so private, presence and encrypted subscriptions need no round trip into PHP.
#include <spdlog/spdlog.h>

#include <cstdlib>
#include <string>

#include "auth/AuthVerifier.h"
#include "service/HttpService.h"
#include "service/ServiceMain.h"

namespace {

using namespace resound;

const service::ServiceInfo kInfo{
    .name = "resound-auth",
    .summary =
        "Auth verifier for pusher-js / Laravel Echo: POST /auth (also /broadcasting/auth, /pusher/auth)\n"
        "and POST /user-auth answer channel and sign-in auth requests that carry\n"
        "`Authorization: Bearer <HS256 JWT>` signed with the app's jwt_secret; GET /forward-auth is a\n"
        "Traefik ForwardAuth check of the same token. Also /health, /up, /ready and /metrics.\n"
        "See docs/auth-verifier.md for the token contract.",
    .defaultPort = 8081,
    .portEnvVar = "RESOUND_AUTH_PORT",
    .valueOptions = {"leeway"},
    .extraUsage =
        "  --leeway SECONDS   Clock skew allowed on exp/nbf/iat (default 30; also RESOUND_AUTH_LEEWAY).\n",
    .healthcheckPath = "/ready",  // 503 while draining: the proxy stops routing here first
};

int parseLeeway(const service::CommandLine& commandLine) {
    std::string text = "30";
    if (const auto it = commandLine.options.find("leeway"); it != commandLine.options.end()) {
        text = it->second;
    } else if (const char* env = std::getenv("RESOUND_AUTH_LEEWAY"); env && *env) {
        text = env;
    }
    std::size_t used = 0;
    const int value = std::stoi(text, &used);
    if (used != text.size() || value < 0 || value > 3600) throw std::invalid_argument("leeway out of range");
    return value;
}

int run(service::ServiceContext& context) {
    int leeway = 30;
    try {
        leeway = parseLeeway(context.commandLine);
    } catch (const std::exception&) {
        spdlog::critical("--leeway / RESOUND_AUTH_LEEWAY must be a number of seconds from 0 to 3600");
        return 2;
    }
    auth::AuthVerifier verifier(
        context.config.apps,
        {.leewaySeconds = leeway, .clock = {}, .pathPrefix = context.config.server.pathPrefix});
    if (verifier.tokenAppCount() == 0) {
        spdlog::warn("no app has a jwt_secret (RESOUND_APP_JWT_SECRET): every token will be refused");
    }

    service::HttpService::Options options;
    options.host = context.config.server.host;
    options.port = context.port;
    options.maxBodyBytes = 4096;  // socket_id + channel_name; pusher-js bodies are ~100 bytes
    options.serverName = "resound-auth";
    service::HttpService http(
        options, [&verifier](const service::HttpExchange& request) { return verifier.handle(request); });
    verifier.setExtraMetrics([&http](std::string& out) { service::appendServiceMetrics(out, http); });
    http.start();
    spdlog::info("resound-auth listening on {}:{} (apps accepting tokens: {}, leeway {} s)", options.host,
                 http.port(), verifier.tokenAppCount(), leeway);

    const int signal =
        context.signals.waitThenLameDuck(std::chrono::milliseconds(context.config.server.shutdownDelayMs),
                                         [&verifier] { verifier.setDraining(); });
    spdlog::info("signal {} received: stopping", signal);
    verifier.setDraining();
    http.stop(std::chrono::milliseconds(2000));
    spdlog::info("stopped");
    return 0;
}

}  // namespace

int main(int argc, char** argv) { return service::runServiceMain(kInfo, argc, argv, run); }
