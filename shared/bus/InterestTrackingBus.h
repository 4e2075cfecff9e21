#pragma once
// A Bus seen through one event loop: forwards everything to the process's bus and records the loop's
// own channel interest (first local subscriber / last one gone) in that loop's InterestFilter.
// Confirmations of addInterestThen() that arrive on another thread are handed to the loop through
// `toLoop` (until this object is destroyed); one given at once runs at once.
#include <spdlog/spdlog.h>

#include <memory>
#include <mutex>
#include <thread>

#include "bus/Bus.h"
#include "bus/InterestFilter.h"

namespace resound::bus {

class InterestTrackingBus final : public Bus {
  public:
    using ToLoop = std::function<void(std::function<void()>)>;

    InterestTrackingBus(Bus& inner, InterestFilter& filter, ToLoop toLoop = {})
        : inner_(inner), filter_(filter), gate_(std::make_shared<Gate>(std::move(toLoop))) {}
    ~InterestTrackingBus() override {
        std::lock_guard lock(gate_->mutex);
        gate_->toLoop = nullptr;  // the loop goes with us: late confirmations are dropped
    }
    InterestTrackingBus(const InterestTrackingBus&) = delete;
    InterestTrackingBus& operator=(const InterestTrackingBus&) = delete;

    bool publish(BusMessagePtr message) override { return inner_.publish(std::move(message)); }
    void addReceiver(Receiver receiver) override { inner_.addReceiver(std::move(receiver)); }

    void addInterest(const std::string& appId, const std::string& channel) override {
        filter_.add(appId, channel);
        inner_.addInterest(appId, channel);
    }
    void addInterestThen(const std::string& appId, const std::string& channel,
                         std::function<void()> confirmed) override {
        filter_.add(appId, channel);
        const auto caller = std::this_thread::get_id();
        auto atOnce = std::make_shared<bool>(false);
        inner_.addInterestThen(appId, channel, [gate = gate_, caller, atOnce, confirmed]() {
            if (std::this_thread::get_id() == caller) {
                *atOnce = true;  // still inside the call below
                return;
            }
            std::lock_guard lock(gate->mutex);
            if (gate->toLoop) gate->toLoop(confirmed);
        });
        if (*atOnce) confirmed();
    }
    void removeInterest(const std::string& appId, const std::string& channel) override {
        inner_.removeInterest(appId, channel);
        if (!filter_.remove(appId, channel)) {
            spdlog::error("interest filter: {} / {} removed more often than added", appId, channel);
        }
    }

  private:
    struct Gate {
        explicit Gate(ToLoop post) : toLoop(std::move(post)) {}
        std::mutex mutex;
        ToLoop toLoop;
    };
    Bus& inner_;
    InterestFilter& filter_;
    std::shared_ptr<Gate> gate_;
};

}  // namespace resound::bus
