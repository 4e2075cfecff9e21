#include "DeliveryLedger.h"

#include <algorithm>
#include <bit>

namespace resound::bench {

bool SequenceSet::insert(std::uint64_t seq) {
    const std::size_t word = static_cast<std::size_t>(seq >> 6);
    const std::uint64_t bit = std::uint64_t{1} << (seq & 63);
    if (word >= words_.size()) words_.resize(std::max(word + 1, words_.size() * 2), 0);
    if (words_[word] & bit) return false;
    words_[word] |= bit;
    ++size_;
    return true;
}

bool SequenceSet::contains(std::uint64_t seq) const {
    const std::size_t word = static_cast<std::size_t>(seq >> 6);
    return word < words_.size() && (words_[word] >> (seq & 63)) & 1;
}

std::uint64_t SequenceSet::countCommon(const SequenceSet& other) const {
    const std::size_t n = std::min(words_.size(), other.words_.size());
    std::uint64_t common = 0;
    for (std::size_t i = 0; i < n; ++i)
        common += static_cast<std::uint64_t>(std::popcount(words_[i] & other.words_[i]));
    return common;
}

DeliveryLedger::DeliveryLedger(std::size_t subscribers, std::size_t channels)
    : seen_(subscribers), accepted_(channels) {}

bool DeliveryLedger::recordDelivery(std::size_t subscriber, std::uint64_t seq) {
    if (seen_[subscriber].insert(seq)) {
        ++unique_;
        return true;
    }
    ++duplicates_;
    return false;
}

void DeliveryLedger::recordAccepted(std::size_t channel, std::uint64_t seq) {
    accepted_[channel].insert(seq);
}

DeliveryLedger::Totals DeliveryLedger::totals(const std::vector<std::uint32_t>& channelOf,
                                              const std::vector<bool>& counted) const {
    Totals t;
    for (std::size_t s = 0; s < seen_.size() && s < channelOf.size(); ++s) {
        if (!counted[s]) continue;
        const SequenceSet& acceptedHere = accepted_[channelOf[s]];
        const std::uint64_t common = seen_[s].countCommon(acceptedHere);
        t.expected += acceptedHere.size();
        t.delivered += common;
        t.unexpected += seen_[s].size() - common;
    }
    return t;
}

}  // namespace resound::bench
