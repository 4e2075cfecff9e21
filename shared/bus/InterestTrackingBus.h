#pragma once
// A Bus seen through one event loop: forwards everything to the process's bus and records the loop's
// own channel interest (first local subscriber / last one gone) in that loop's InterestFilter.
#include <spdlog/spdlog.h>

#include "bus/Bus.h"
#include "bus/InterestFilter.h"

namespace resound::bus {

class InterestTrackingBus final : public Bus {
public:
    InterestTrackingBus(Bus& inner, InterestFilter& filter) : inner_(inner), filter_(filter) {}

    bool publish(BusMessagePtr message) override { return inner_.publish(std::move(message)); }
    void addReceiver(Receiver receiver) override { inner_.addReceiver(std::move(receiver)); }

    void addInterest(const std::string& appId, const std::string& channel) override {
        filter_.add(appId, channel);
        inner_.addInterest(appId, channel);
    }
    void removeInterest(const std::string& appId, const std::string& channel) override {
        inner_.removeInterest(appId, channel);
        if (!filter_.remove(appId, channel)) {
            spdlog::error("interest filter: {} / {} removed more often than added", appId, channel);
        }
    }

private:
    Bus& inner_;
    InterestFilter& filter_;
};

}  // namespace resound::bus
