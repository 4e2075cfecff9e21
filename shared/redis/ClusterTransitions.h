#pragma once
// Cluster-wide transitions found outside the normal protocol flow (by the Reaper when it subtracts a
// dead node, by a resync when it re-registers a node): who must hear about them is decided by
// TransitionAnnouncer. Plain data.
#include <string>
#include <vector>

#include "state/ClusterState.h"

namespace resound::redis {

struct ClusterTransitions {
    struct ChannelRef {
        std::string appId;
        std::string channel;
    };
    struct MemberRef {
        std::string appId;
        std::string channel;
        state::PresenceMember member;
    };

    std::vector<ChannelRef> occupied;  // subscription count went 0 -> n
    std::vector<MemberRef> joined;     // presence user refcount went 0 -> n
    std::vector<MemberRef> left;       // presence user refcount went n -> 0
    std::vector<ChannelRef> vacated;   // subscription count went n -> 0

    bool empty() const { return occupied.empty() && joined.empty() && left.empty() && vacated.empty(); }
};

}  // namespace resound::redis
