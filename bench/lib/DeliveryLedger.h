#pragma once
// Which benchmark events each subscriber received: one bitset per subscriber indexed by the
// per-channel sequence number, so loss and duplicates are exact even when events arrive out of
// order. Also the publisher's record of which sequences the server accepted (HTTP 2xx) per channel.
// One thread at a time.
#include <cstddef>
#include <cstdint>
#include <vector>

namespace resound::bench {

// A growable set of sequence numbers.
class SequenceSet {
  public:
    // True if `seq` was not in the set before.
    bool insert(std::uint64_t seq);
    bool contains(std::uint64_t seq) const;
    std::uint64_t size() const { return size_; }
    // How many members of this set are also in `other`.
    std::uint64_t countCommon(const SequenceSet& other) const;

  private:
    std::vector<std::uint64_t> words_;
    std::uint64_t size_ = 0;
};

class DeliveryLedger {
  public:
    DeliveryLedger(std::size_t subscribers, std::size_t channels);

    // A delivery of (channel-local) `seq` to `subscriber`; false if it is a duplicate.
    bool recordDelivery(std::size_t subscriber, std::uint64_t seq);
    // The server accepted event `seq` on `channel`.
    void recordAccepted(std::size_t channel, std::uint64_t seq);

    std::uint64_t uniqueDeliveries() const { return unique_; }
    std::uint64_t duplicates() const { return duplicates_; }
    std::uint64_t acceptedOn(std::size_t channel) const { return accepted_[channel].size(); }

    struct Totals {
        std::uint64_t expected = 0;    // accepted events x subscribers of their channel
        std::uint64_t delivered = 0;   // unique deliveries of accepted events
        std::uint64_t unexpected = 0;  // deliveries of events never accepted (HTTP error or no answer)
    };
    // `channelOf[s]` is subscriber s's channel; only subscribers with `counted[s]` are included.
    Totals totals(const std::vector<std::uint32_t>& channelOf, const std::vector<bool>& counted) const;

  private:
    std::vector<SequenceSet> seen_;
    std::vector<SequenceSet> accepted_;
    std::uint64_t unique_ = 0;
    std::uint64_t duplicates_ = 0;
};

}  // namespace resound::bench
