#pragma once
// A DashboardBackend for the dashboard's tests: counters and channels the test sets, publishes
// recorded, a real DebugTap.
#include <mutex>
#include <string>
#include <vector>

#include "dashboard/DashboardBackend.h"

namespace resound::dashboard::test {

class FakeBackend final : public DashboardBackend {
  public:
    struct Published {
        std::string appId, channel, event, data;
    };

    Snapshot snapshot() override {
        std::lock_guard lock(mutex);
        ++snapshots;
        return current;
    }
    std::vector<std::string> appIds() override { return {"app-1", "app-2"}; }
    std::vector<state::ChannelSummary> channels(const std::string& appId,
                                                const std::string& prefix) override {
        std::vector<state::ChannelSummary> out;
        for (const auto& channel : channelList) {
            if (appId == "app-1" && channel.name.rfind(prefix, 0) == 0) out.push_back(channel);
        }
        return out;
    }
    std::vector<state::PresenceMember> members(const std::string&, const std::string& channel) override {
        if (channel != "presence-room") return {};
        return {{"7", "7", "{\"name\":\"<b>Ann</b>\"}"}};
    }
    std::optional<state::CachedEvent> cachedEvent(const std::string&, const std::string& channel) override {
        if (channel != "cache-prices") return std::nullopt;
        return state::CachedEvent{"{\"event\":\"tick\",\"channel\":\"cache-prices\",\"data\":\"42\"}", 1700};
    }
    PublishOutcome publish(const std::string& appId, const std::string& channel, const std::string& event,
                           const std::string& data) override {
        if (data.size() > 100) return {false, 413, "Event data is too large"};
        std::lock_guard lock(mutex);
        published.push_back({appId, channel, event, data});
        return {true, 200, ""};
    }
    DebugTap& tap() override { return debugTap; }

    std::mutex mutex;
    Snapshot current;
    int snapshots = 0;
    std::vector<state::ChannelSummary> channelList;
    std::vector<Published> published;
    DebugTap debugTap;
};

}  // namespace resound::dashboard::test
