#include "auth/AuthVerifier.h"

#include <Poco/Exception.h>
#include <Poco/JSON/Parser.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <chrono>

#include "auth/AuthPayload.h"
#include "auth/ChannelPattern.h"
#include "auth/Jwt.h"
#include "crypto/Base64.h"
#include "http/PathPrefix.h"
#include "http/QueryString.h"
#include "json/JsonText.h"
#include "pusher/ChannelName.h"
#include "pusher/OriginRule.h"
#include "pusher/SocketId.h"
#include "service/HealthEndpoints.h"
#include "util/Version.h"

namespace resound::auth {
namespace {

using service::HttpExchange;
using service::HttpReply;

enum class Route { Channel, User, Forward, Health, Up, Ready, Metrics, Unknown };

// The paths pusher-js (/pusher/auth), Laravel Echo (/broadcasting/auth) and our own docs (/auth) use,
// so a proxy can forward the browser's usual path unchanged.
Route routeOf(std::string_view path) {
    if (path == "/auth" || path == "/broadcasting/auth" || path == "/pusher/auth") return Route::Channel;
    if (path == "/user-auth" || path == "/broadcasting/user-auth" || path == "/pusher/user-auth")
        return Route::User;
    if (path == "/forward-auth") return Route::Forward;
    if (path == "/health") return Route::Health;
    if (path == "/up") return Route::Up;
    if (path == "/ready") return Route::Ready;
    if (path == "/metrics") return Route::Metrics;
    return Route::Unknown;
}

AuthEndpoint endpointOf(Route route) {
    switch (route) {
        case Route::Channel:
            return AuthEndpoint::Channel;
        case Route::User:
            return AuthEndpoint::User;
        case Route::Forward:
            return AuthEndpoint::Forward;
        default:
            return AuthEndpoint::Other;
    }
}

HttpReply json(int status, std::string body) {
    return HttpReply{status, "application/json", std::move(body), {}};
}

bool startsWithIgnoreCase(std::string_view text, std::string_view prefix) {
    return text.size() >= prefix.size() &&
           std::equal(prefix.begin(), prefix.end(), text.begin(), [](char a, char b) {
               return std::tolower(static_cast<unsigned char>(a)) ==
                      std::tolower(static_cast<unsigned char>(b));
           });
}

std::string_view trim(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
    return text;
}

// pusher-js socket ids: "<digits>.<digits>".
struct AuthParams {
    std::string socketId;
    std::string channelName;
};

AuthFailure badRequest(std::string message) { return {400, "bad_request", std::move(message)}; }

// pusher-js posts application/x-www-form-urlencoded; JSON bodies are accepted too (custom clients).
std::variant<AuthParams, AuthFailure> readParams(const HttpExchange& request, bool needChannel) {
    AuthParams params;
    if (startsWithIgnoreCase(request.header("Content-Type"), "application/json")) {
        try {
            Poco::JSON::Parser parser;
            const Poco::Dynamic::Var parsed = parser.parse(request.body);
            if (parsed.type() != typeid(Poco::JSON::Object::Ptr))
                return badRequest("body must be a JSON object");
            const auto object = parsed.extract<Poco::JSON::Object::Ptr>();
            if (object->has("socket_id") && object->get("socket_id").isString())
                params.socketId = object->getValue<std::string>("socket_id");
            if (object->has("channel_name") && object->get("channel_name").isString())
                params.channelName = object->getValue<std::string>("channel_name");
        } catch (const Poco::Exception&) {
            return badRequest("body is not valid JSON");
        }
    } else {
        for (const auto& [name, value] : http::parseQuery(request.body)) {
            if (name == "socket_id") params.socketId = value;
            else if (name == "channel_name") params.channelName = value;
        }
    }
    if (params.socketId.empty()) return badRequest("socket_id is missing");
    if (!pusher::isValidSocketId(params.socketId)) return badRequest("socket_id is not a Pusher socket id");
    if (needChannel && params.channelName.empty()) return badRequest("channel_name is missing");
    return params;
}

// What a preflight may announce: the request's own list when it is plain header names, else ours.
std::string allowedRequestHeaders(std::string_view requested) {
    const bool plain = !requested.empty() && requested.size() <= 512 &&
                       std::all_of(requested.begin(), requested.end(), [](char c) {
                           return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' ||
                                  c == ',' || c == ' ';
                       });
    return plain ? std::string(requested)
                 : "Authorization, Content-Type, X-CSRF-TOKEN, X-Socket-ID, X-Requested-With";
}

std::int64_t systemSeconds() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

}  // namespace

AuthVerifier::AuthVerifier(std::vector<config::AppConfig> apps, Options options)
    : options_(std::move(options)) {
    if (!options_.clock) options_.clock = systemSeconds;
    for (auto& app : apps) {
        App entry{std::move(app), {}};
        if (!entry.config.encryptionMasterKey.empty()) {
            // validate() guarantees base64 of 32 bytes for a loaded config; a Config built in code may not.
            const auto key = crypto::base64Decode(entry.config.encryptionMasterKey);
            if (key && key->size() == 32) entry.masterKey = *key;
        }
        apps_.push_back(std::move(entry));
    }
}

std::size_t AuthVerifier::tokenAppCount() const {
    return static_cast<std::size_t>(std::count_if(
        apps_.begin(), apps_.end(), [](const App& app) { return !app.config.jwtSecret.empty(); }));
}

const AuthVerifier::App* AuthVerifier::findApp(const std::vector<std::string>& candidates) const {
    for (const std::string& candidate : candidates) {
        for (const App& app : apps_) {
            if (app.config.jwtSecret.empty()) continue;
            if (app.config.id == candidate || app.config.key == candidate) return &app;
        }
    }
    return nullptr;
}

std::variant<AuthVerifier::Verified, AuthFailure> AuthVerifier::verifyBearer(
    std::string_view authorization) const {
    authorization = trim(authorization);
    if (authorization.empty())
        return AuthFailure{401, "missing_token", "Authorization: Bearer <token> is missing"};
    if (!startsWithIgnoreCase(authorization, "Bearer ")) {
        return AuthFailure{401, "missing_token", "Authorization must use the Bearer scheme"};
    }
    auto decoded = decodeJwt(trim(authorization.substr(7)));
    if (auto* failure = std::get_if<AuthFailure>(&decoded)) return *failure;
    const DecodedJwt& jwt = std::get<DecodedJwt>(decoded);

    // The app claim is read before the signature is checked, only to choose the key to check it with.
    const std::vector<std::string> candidates = appCandidates(*jwt.claims);
    if (candidates.empty()) return AuthFailure{401, "unknown_app", "token names no app (aud or app claim)"};
    const App* app = findApp(candidates);
    if (!app) {
        return AuthFailure{401, "unknown_app",
                           "token is for an app that is not configured here or has no jwt_secret"};
    }
    if (!hasValidHs256Signature(jwt, app->config.jwtSecret)) {
        return AuthFailure{401, "bad_signature", "token signature is invalid"};
    }
    auto claims = readClaims(*jwt.claims, options_.clock(), options_.leewaySeconds);
    if (auto* failure = std::get_if<AuthFailure>(&claims)) return *failure;
    return Verified{app, std::move(std::get<TokenClaims>(claims))};
}

HttpReply AuthVerifier::refuse(const AuthFailure& failure, const HttpExchange& request) const {
    metrics_.countFailure(failure.code);
    spdlog::debug("auth refused: status={} reason={} path={} remote={}", failure.status, failure.code,
                  request.path, request.remote);
    HttpReply reply = service::jsonError(failure.status, failure.code, failure.message);
    if (failure.status == 401) {
        reply.headers.emplace_back("WWW-Authenticate",
                                   failure.code == "missing_token"
                                       ? "Bearer realm=\"resound\""
                                       : "Bearer realm=\"resound\", error=\"invalid_token\"");
    }
    return reply;
}

HttpReply AuthVerifier::channelAuth(const HttpExchange& request, const Verified& token) const {
    auto parsed = readParams(request, /*needChannel=*/true);
    if (auto* failure = std::get_if<AuthFailure>(&parsed)) return refuse(*failure, request);
    const AuthParams& params = std::get<AuthParams>(parsed);
    const config::AppConfig& app = token.app->config;
    const std::string& channel = params.channelName;

    if (!pusher::isValidChannelName(channel))
        return refuse(badRequest("channel_name is not a valid channel name"), request);
    const pusher::ChannelKind kind = pusher::kindOf(channel);
    if (kind == pusher::ChannelKind::Public) {
        return refuse(badRequest("public channels need no authorization"), request);
    }
    if (kind == pusher::ChannelKind::ServerToUser) {
        return refuse(badRequest("#server-to-user- channels are joined by signing in, not by subscribing"),
                      request);
    }
    if (!anyChannelMatches(token.claims.channelPatterns, channel)) {
        return refuse({403, "channel_not_allowed", "token does not allow channel " + channel}, request);
    }

    std::string body;
    if (kind == pusher::ChannelKind::Presence) {
        if (token.claims.userInfoJson && token.claims.userInfoJson->size() > app.maxUserInfoBytes) {
            return refuse({403, "user_info_too_large",
                           "user_info is larger than the app's max_user_info_bytes (" +
                               std::to_string(app.maxUserInfoBytes) + ")"},
                          request);
        }
        body = presenceChannelAuthBody(app, params.socketId, channel,
                                       presenceChannelData(token.claims.subject, token.claims.userInfoJson));
    } else if (kind == pusher::ChannelKind::PrivateEncrypted) {
        if (token.app->masterKey.empty()) {
            spdlog::warn("encrypted channel refused: app {} has no encryption_master_key", app.id);
            return refuse({403, "encryption_unavailable",
                           "encrypted channels are not enabled for this app (no encryption_master_key)"},
                          request);
        }
        body = encryptedChannelAuthBody(app, params.socketId, channel, token.app->masterKey);
    } else {
        body = privateChannelAuthBody(app, params.socketId, channel);
    }
    spdlog::debug("channel auth: app={} socket_id={} channel={}", app.id, params.socketId, channel);
    return json(200, std::move(body));
}

HttpReply AuthVerifier::userAuth(const HttpExchange& request, const Verified& token) const {
    auto parsed = readParams(request, /*needChannel=*/false);
    if (auto* failure = std::get_if<AuthFailure>(&parsed)) return refuse(*failure, request);
    const AuthParams& params = std::get<AuthParams>(parsed);
    const config::AppConfig& app = token.app->config;
    if (!app.userAuthentication) {
        return refuse({403, "bad_request", "user authentication is disabled for this app"}, request);
    }
    if (token.claims.userInfoJson && token.claims.userInfoJson->size() > app.maxUserInfoBytes) {
        return refuse({403, "user_info_too_large",
                       "user_info is larger than the app's max_user_info_bytes (" +
                           std::to_string(app.maxUserInfoBytes) + ")"},
                      request);
    }
    spdlog::debug("user auth: app={} socket_id={}", app.id, params.socketId);
    return json(200, signinAuthBody(app, params.socketId,
                                    signinUserData(token.claims.subject, token.claims.userInfoJson)));
}

// Traefik ForwardAuth: 2xx lets the original request through (and authResponseHeaders can copy the
// X-Resound-* headers to it); anything else is returned to the client as it is.
HttpReply AuthVerifier::forwardAuth(const HttpExchange& request) const {
    auto verified = verifyBearer(request.header("Authorization"));
    if (auto* failure = std::get_if<AuthFailure>(&verified)) return refuse(*failure, request);
    const Verified& token = std::get<Verified>(verified);
    std::string body = "{\"app_id\":";
    json::appendQuoted(body, token.app->config.id);
    body += ",\"user_id\":";
    json::appendQuoted(body, token.claims.subject);
    body += ",\"expires_at\":" + std::to_string(token.claims.expiresAt) + "}";
    HttpReply reply = json(200, std::move(body));
    reply.headers.emplace_back("X-Resound-App", token.app->config.id);
    reply.headers.emplace_back("X-Resound-User", token.claims.subject);
    return reply;
}

HttpReply AuthVerifier::health() const {
    std::string body = service::health::healthHead("resound-auth", draining_.load(std::memory_order_relaxed));
    body += ",\"token_apps\":" + std::to_string(tokenAppCount()) + "}";
    return json(200, std::move(body));
}

HttpReply AuthVerifier::ready() const {
    auto answer =
        service::health::ready(service::health::drainingReason(draining_.load(std::memory_order_relaxed)));
    return json(answer.status, std::move(answer.body));
}

HttpReply AuthVerifier::handle(const HttpExchange& request) const {
    const Route route = routeOf(http::stripPathPrefix(request.path, options_.pathPrefix));
    const bool get = request.method == "GET" || request.method == "HEAD";
    HttpReply reply;
    switch (route) {
        case Route::Health:
            reply = get ? health() : service::jsonError(405, "method_not_allowed", "use GET");
            break;
        case Route::Up:
            reply = get ? json(service::health::up().status, service::health::up().body)
                        : service::jsonError(405, "method_not_allowed", "use GET");
            break;
        case Route::Ready:
            reply = get ? ready() : service::jsonError(405, "method_not_allowed", "use GET");
            break;
        case Route::Metrics:
            if (get) {
                std::string text = metrics_.renderPrometheus();
                if (extraMetrics_) extraMetrics_(text);
                reply = HttpReply{200, "text/plain; version=0.0.4", std::move(text), {}};
            } else {
                reply = service::jsonError(405, "method_not_allowed", "use GET");
            }
            break;
        case Route::Forward:
            reply = forwardAuth(request);
            break;
        case Route::Unknown:
            reply = service::jsonError(404, "not_found", "no such endpoint (POST /auth, POST /user-auth)");
            break;
        case Route::Channel:
        case Route::User: {
            // Origins are checked only on requests that carry one (browsers, which CORS concerns);
            // the rule itself is pusher/OriginRule.h, the edge's.
            const std::string_view origin = request.header("Origin");
            const bool originKnown =
                !origin.empty() && std::any_of(apps_.begin(), apps_.end(), [&](const App& app) {
                    return !app.config.jwtSecret.empty() &&
                           pusher::originAllowed(app.config.allowedOrigins, origin);
                });
            if (request.method == "OPTIONS") {
                if (!origin.empty() && !originKnown) {
                    reply = refuse({403, "origin_not_allowed", "origin not allowed by any app"}, request);
                } else {
                    reply = HttpReply{204, "application/json", "", {}};
                    reply.headers.emplace_back("Access-Control-Allow-Methods", "POST, OPTIONS");
                    reply.headers.emplace_back(
                        "Access-Control-Allow-Headers",
                        allowedRequestHeaders(request.header("Access-Control-Request-Headers")));
                    reply.headers.emplace_back("Access-Control-Max-Age", "600");
                }
            } else if (request.method != "POST") {
                reply = service::jsonError(405, "method_not_allowed", "use POST");
                reply.headers.emplace_back("Allow", "POST, OPTIONS");
            } else {
                auto verified = verifyBearer(request.header("Authorization"));
                if (auto* failure = std::get_if<AuthFailure>(&verified)) {
                    reply = refuse(*failure, request);
                } else {
                    const Verified& token = std::get<Verified>(verified);
                    if (!origin.empty() && !pusher::originAllowed(token.app->config.allowedOrigins, origin)) {
                        reply =
                            refuse({403, "origin_not_allowed", "origin not allowed for this app"}, request);
                    } else {
                        reply =
                            route == Route::Channel ? channelAuth(request, token) : userAuth(request, token);
                    }
                }
            }
            // CORS headers on every answer, errors included, so the page's script can read the reason.
            if (originKnown) {
                reply.headers.emplace_back("Access-Control-Allow-Origin", std::string(origin));
                reply.headers.emplace_back("Vary", "Origin");
            }
            break;
        }
    }
    metrics_.countResponse(endpointOf(route), reply.status);
    return reply;
}

}  // namespace resound::auth
