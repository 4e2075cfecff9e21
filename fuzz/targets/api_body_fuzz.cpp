// Fuzzes the Pusher HTTP API behind the parser: api::ApiHandler::handle with the real in-memory bus
// and cluster state. Requests are signed correctly (so bodies reach the endpoints' JSON handling) or
// carry the fuzzed query verbatim (so the signature check sees garbage).
//
// Input: [mode: 1][query: up to '\n'][path argument: up to '\n'][body...]
//   mode & 7  endpoint: events, batch_events, channels, channel/{arg}, channels/{arg}/users,
//             users/{arg}/terminate_connections, connections, or {arg} as the whole path
//   mode & 8  query verbatim and unsigned (else: parsed, then signed like the SDKs sign)
//   mode & 16 the other HTTP method
// Oracles: handle() never answers 500 (with backends that cannot fail, a 500 is an escaped exception),
// only documented statuses, and every body is valid UTF-8 and a JSON object or array that Poco
// parses back.
#include <Poco/JSON/Parser.h>

#include <cstdint>
#include <cstdio>
#include <string>

#include "FuzzInput.h"
#include "api/ApiHandler.h"
#include "api/RequestSignature.h"
#include "apps/AppRegistry.h"
#include "bus/InMemoryBus.h"
#include "config/Config.h"
#include "http/QueryString.h"
#include "state/InMemoryClusterState.h"
#include "websocket/Utf8Validator.h"

using namespace resound;
using resound::fuzz::FuzzInput;

namespace {

constexpr std::int64_t kNow = 1700000000;

config::AppConfig fuzzApp() {
    config::AppConfig app;
    app.id = "fuzz";
    app.key = "fuzz-key";
    app.secret = "fuzz-secret";
    // Small limits so that inputs cross them.
    app.maxBatchSize = 4;
    app.maxChannelsPerEvent = 4;
    app.maxEventPayloadBytes = 512;
    return app;
}

// A state with something in it, so that the channel listings and info= have data to report.
void populate(state::ClusterState& state) {
    state.addSubscription("fuzz", "public");
    state.addSubscription("fuzz", "cache-news");
    state.storeCachedEvent("fuzz", "cache-news", R"({"event":"e","channel":"cache-news","data":"x"})", 60);
    state.addSubscription("fuzz", "presence-room");
    state.joinPresence("fuzz", "presence-room", {"1", "1", R"({"name":"a"})"}, 100);
    state.joinPresence("fuzz", "presence-room", {"u2", "\"u2\"", "null"}, 100);
    state.tryAddConnection("fuzz", 0);
}

std::string pathFor(std::uint8_t endpoint, std::string_view argument) {
    const std::string arg(argument);
    switch (endpoint & 7) {
        case 0:
            return "/apps/fuzz/events";
        case 1:
            return "/apps/fuzz/batch_events";
        case 2:
            return "/apps/fuzz/channels";
        case 3:
            return "/apps/fuzz/channels/" + arg;
        case 4:
            return "/apps/fuzz/channels/" + arg + "/users";
        case 5:
            return "/apps/fuzz/users/" + arg + "/terminate_connections";
        case 6:
            return "/apps/fuzz/connections";
        default:
            return arg;
    }
}

bool isPostEndpoint(std::uint8_t endpoint) { return (endpoint & 7) <= 1 || (endpoint & 7) == 5; }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const apps::AppRegistry registry({fuzzApp()});
    static const config::ServerConfig server;

    FuzzInput input(data, size);
    const std::uint8_t mode = input.byte();
    const std::string_view rawQuery = input.until('\n', 512);
    const std::string_view argument = input.until('\n', 256);
    const std::string body(input.rest());

    state::InMemoryClusterState state;
    populate(state);
    bus::InMemoryBus bus;
    bus.addReceiver([](const bus::BusMessagePtr& message) { FUZZ_CHECK(message != nullptr); });
    const api::ApiHandler handler(registry, state, bus, server, [] { return kNow; });

    http::Request request;
    const bool post = isPostEndpoint(mode) != ((mode & 16) != 0);
    request.method = post ? "POST" : "GET";
    request.path = pathFor(mode, argument);
    request.body = body;
    if ((mode & 8) != 0) {
        request.query.assign(rawQuery);
    } else {
        request.query = api::signRequest(request.method, request.path, http::parseQuery(rawQuery), body,
                                         "fuzz-key", "fuzz-secret", kNow);
    }
    request.target = request.path + "?" + request.query;

    const api::ApiResponse response = handler.handle(request, request.path);
    FUZZ_CHECK(response.status != 500);
    FUZZ_CHECK(response.status == 200 || response.status == 400 || response.status == 401 ||
               response.status == 404 || response.status == 405 || response.status == 413);
    FUZZ_CHECK(!response.body.empty());
    // JSON means UTF-8 (RFC 8259 8.1), whatever bytes the request held (regression:
    // fuzz/regressions/api_body/, tests/unit/api/error_body_utf8_regression_test.cpp).
    FUZZ_CHECK(ws::Utf8Validator::isValid(response.body));
    try {
        Poco::JSON::Parser parser;
        const Poco::Dynamic::Var parsed = parser.parse(response.body);
        FUZZ_CHECK(parsed.type() == typeid(Poco::JSON::Object::Ptr) ||
                   parsed.type() == typeid(Poco::JSON::Array::Ptr));
    } catch (const Poco::Exception& e) {
        std::fprintf(stderr, "status %d, body %s: %s\n", response.status, response.body.c_str(),
                     e.displayText().c_str());
        FUZZ_CHECK(!"response body is not JSON");
    }
    return 0;
}
