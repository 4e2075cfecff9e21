#pragma once
// Test doubles and helpers for the HTTP API tests: a Bus that records what is published, an
// in-memory ClusterState with hand-set contents, a server-frame decoder and a request signer.
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "api/ApiHandler.h"
#include "api/RequestSignature.h"
#include "apps/AppRegistry.h"
#include "bus/Bus.h"
#include "config/Config.h"
#include "http/Request.h"
#include "state/ClusterState.h"

namespace resound::api::test {

// Shared log so tests can check the order of "cache stored" and "published".
using EventLog = std::vector<std::string>;

class RecordingBus final : public bus::Bus {
  public:
    explicit RecordingBus(EventLog& log) : log_(log) {}
    bool publish(bus::BusMessagePtr message) override {
        log_.push_back("publish " + message->channel);
        if (failing) return false;
        messages.push_back(std::move(message));
        return true;
    }
    void addReceiver(Receiver) override {}

    bool failing = false;
    std::vector<bus::BusMessagePtr> messages;

  private:
    EventLog& log_;
};

class FakeClusterState final : public state::ClusterState {
  public:
    explicit FakeClusterState(EventLog& log) : log_(log) {}

    std::size_t addSubscription(const std::string& appId, const std::string& channel) override {
        return ++subscriptions[{appId, channel}];
    }
    std::size_t removeSubscription(const std::string& appId, const std::string& channel) override {
        auto& count = subscriptions[{appId, channel}];
        if (count > 0) --count;
        return count;
    }
    state::PresenceJoin joinPresence(const std::string& appId, const std::string& channel,
                                     const state::PresenceMember& member, std::size_t) override {
        members[{appId, channel}].push_back(member);
        return {state::PresenceJoinStatus::Joined, members[{appId, channel}]};
    }
    bool leavePresence(const std::string&, const std::string&, const std::string&) override { return true; }
    std::vector<state::PresenceMember> presenceMembers(const std::string& appId,
                                                       const std::string& channel) override {
        maybeThrow();
        auto it = members.find({appId, channel});
        return it == members.end() ? std::vector<state::PresenceMember>{} : it->second;
    }
    std::vector<state::ChannelSummary> channels(const std::string& appId,
                                                const std::string& prefix) override {
        maybeThrow();
        std::vector<state::ChannelSummary> out;
        for (const auto& [key, count] : subscriptions) {
            if (key.first == appId && count > 0 && key.second.starts_with(prefix))
                out.push_back(summary(key));
        }
        return out;
    }
    std::optional<state::ChannelSummary> channel(const std::string& appId, const std::string& name) override {
        maybeThrow();
        auto it = subscriptions.find({appId, name});
        if (it == subscriptions.end() || it->second == 0) return std::nullopt;
        return summary(it->first);
    }
    void storeCachedEvent(const std::string& appId, const std::string& channel, const std::string& eventJson,
                          int ttlSeconds) override {
        log_.push_back("cache " + channel);
        cached[{appId, channel}] = state::CachedEvent{eventJson, ttlSeconds};
    }
    std::optional<state::CachedEvent> cachedEvent(const std::string& appId,
                                                  const std::string& channel) override {
        maybeThrow();
        auto it = cached.find({appId, channel});
        if (it == cached.end()) return std::nullopt;
        return it->second;
    }
    bool tryAddConnection(const std::string& appId, std::size_t) override {
        ++connections[appId];
        return true;
    }
    void removeConnection(const std::string& appId) override { --connections[appId]; }
    std::size_t connectionCount(const std::string& appId) override {
        maybeThrow();
        return connections[appId];
    }

    // Test set-up: `count` subscriptions; for presence channels also `users` distinct members.
    void occupy(const std::string& appId, const std::string& channel, std::size_t count,
                const std::vector<std::string>& users = {}) {
        subscriptions[{appId, channel}] = count;
        for (const auto& user : users)
            members[{appId, channel}].push_back({user, "\"" + user + "\"", "null"});
    }

    using Key = std::pair<std::string, std::string>;
    std::map<Key, std::size_t> subscriptions;
    std::map<Key, std::vector<state::PresenceMember>> members;
    std::map<Key, state::CachedEvent> cached;
    std::map<std::string, std::size_t> connections;
    bool throwing = false;     // reads throw a plain exception (a bug in a backend)
    bool unavailable = false;  // reads throw state::StateUnavailable (Redis unreachable)

  private:
    state::ChannelSummary summary(const Key& key) const {
        state::ChannelSummary s;
        s.name = key.second;
        s.subscriptionCount = subscriptions.at(key);
        auto it = members.find(key);
        s.userCount = it == members.end() ? 0 : it->second.size();
        return s;
    }
    void maybeThrow() const {
        if (throwing) throw std::runtime_error("backend down");
        if (unavailable) throw state::StateUnavailable("the cluster state could not be read");
    }
    EventLog& log_;
};

// Decodes one unmasked server frame; returns the payload of a FIN text frame or nullopt.
inline std::optional<std::string> textFramePayload(const std::string& frame) {
    if (frame.size() < 2 || static_cast<std::uint8_t>(frame[0]) != 0x81) return std::nullopt;
    const auto lengthByte = static_cast<std::uint8_t>(frame[1]);
    if (lengthByte & 0x80) return std::nullopt;  // servers never mask
    std::size_t length = lengthByte & 0x7F;
    std::size_t offset = 2;
    if (length == 126) {
        length = (static_cast<std::uint8_t>(frame[2]) << 8) | static_cast<std::uint8_t>(frame[3]);
        offset = 4;
    } else if (length == 127) {
        length = 0;
        for (int i = 0; i < 8; ++i) length = (length << 8) | static_cast<std::uint8_t>(frame[2 + i]);
        offset = 10;
    }
    if (frame.size() != offset + length) return std::nullopt;
    return frame.substr(offset);
}

// The docs/protocol.md 2.1 credentials.
inline config::AppConfig testApp() {
    config::AppConfig app;
    app.id = "3";
    app.key = "278d425bdf160c739803";
    app.secret = "7ad3773142a6692b25b8";
    return app;
}

inline config::AppConfig otherApp() {
    config::AppConfig app;
    app.id = "other";
    app.key = "other-key";
    app.secret = "other-secret";
    return app;
}

constexpr std::int64_t kNow = 1353088179;

// Everything one API test needs: apps, fakes, a handler with a fixed clock, and a signer.
struct ApiFixture : ::testing::Test {
    EventLog log;
    RecordingBus bus{log};
    FakeClusterState state{log};
    config::ServerConfig server;
    apps::AppRegistry apps{{testApp(), otherApp()}};
    std::int64_t now = kNow;
    ApiHandler handler{apps, state, bus, server, [this] { return now; }};

    const config::AppConfig& app() const { return *apps.byId("3"); }

    // A request signed like the SDKs sign it; `extra` are the non-auth query parameters.
    http::Request signedRequest(const std::string& method, const std::string& path,
                                const std::string& body = "", const http::QueryParams& extra = {},
                                const config::AppConfig* signer = nullptr,
                                std::int64_t timestamp = kNow) const {
        const config::AppConfig& credentials = signer ? *signer : app();
        http::Request request;
        request.method = method;
        request.path = path;
        request.query =
            signRequest(method, path, extra, body, credentials.key, credentials.secret, timestamp);
        request.target = path + "?" + request.query;
        request.body = body;
        return request;
    }

    ApiResponse call(const http::Request& request) const { return handler.handle(request, request.path); }

    ApiResponse post(const std::string& path, const std::string& body,
                     const http::QueryParams& extra = {}) const {
        return call(signedRequest("POST", path, body, extra));
    }
    ApiResponse get(const std::string& path, const http::QueryParams& extra = {}) const {
        return call(signedRequest("GET", path, "", extra));
    }

    // The JSON text subscribers would receive for published message `index`.
    std::string publishedJson(std::size_t index) const {
        const auto payload = textFramePayload(*bus.messages.at(index)->frame);
        EXPECT_TRUE(payload.has_value()) << "not a single unmasked text frame";
        return payload.value_or("");
    }
};

// Error bodies all have this shape.
inline void expectError(const ApiResponse& response, int status, const std::string& mentions = "") {
    EXPECT_EQ(response.status, status) << response.body;
    const std::string prefix = "{\"error\":\"";
    EXPECT_EQ(response.body.rfind(prefix, 0), 0u) << response.body;
    EXPECT_NE(response.body.find(",\"code\":" + std::to_string(status) + ",\"reason\":\""), std::string::npos)
        << response.body;
    if (!mentions.empty()) {
        EXPECT_NE(response.body.find(mentions), std::string::npos) << response.body;
    }
    // And it is real JSON with a non-empty message and the status as a number.
    try {
        Poco::JSON::Parser parser;
        const auto object = parser.parse(response.body).extract<Poco::JSON::Object::Ptr>();
        EXPECT_FALSE(object->getValue<std::string>("error").empty());
        EXPECT_EQ(object->getValue<int>("code"), status);
        EXPECT_FALSE(object->getValue<std::string>("reason").empty());
    } catch (const std::exception& e) {
        ADD_FAILURE() << "error body is not JSON: " << e.what() << ": " << response.body;
    }
    EXPECT_EQ(response.contentType, "application/json");
}

}  // namespace resound::api::test
