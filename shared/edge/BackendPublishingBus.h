#pragma once
// The bus as one event loop's protocol sees it in Redis mode: what the loop publishes (client events,
// presence member_added / member_removed, subscription counts) goes to the loop's backend
// (api::LoopBackend), so it rides the loop's own pipelined Redis connection (one write per iteration,
// in the order the loop published, so per connection too) instead of a blocking PUBLISH on the shared
// client. Nobody waits for those publishes: a refusal is logged, as the synchronous bus's was.
// Everything else (interest, receivers) goes to the inner bus. Loop thread only (publish); the rest as
// the inner bus allows.
#include <spdlog/spdlog.h>

#include <vector>

#include "api/LoopBackend.h"
#include "bus/Bus.h"

namespace resound::edge {

class BackendPublishingBus final : public bus::Bus {
  public:
    BackendPublishingBus(bus::Bus& inner, api::LoopBackend& backend) : inner_(inner), backend_(backend) {}

    // Always true: the message is handed over; the outcome is only logged.
    bool publish(bus::BusMessagePtr message) override {
        std::vector<api::PublishStep> steps(1);
        steps.front().message = message;
        backend_.publish(std::move(steps), [message = std::move(message)](const api::PublishReport& report) {
            if (!report.all()) {
                spdlog::warn("bus refused a message app={} channel={}", message->appId, message->channel);
            }
        });
        return true;
    }
    void addReceiver(Receiver receiver) override { inner_.addReceiver(std::move(receiver)); }
    void addInterest(const std::string& appId, const std::string& channel) override {
        inner_.addInterest(appId, channel);
    }
    void removeInterest(const std::string& appId, const std::string& channel) override {
        inner_.removeInterest(appId, channel);
    }
    void addInterestThen(const std::string& appId, const std::string& channel,
                         std::function<void()> confirmed) override {
        inner_.addInterestThen(appId, channel, std::move(confirmed));
    }

  private:
    bus::Bus& inner_;
    api::LoopBackend& backend_;
};

}  // namespace resound::edge
