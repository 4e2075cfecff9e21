#pragma once
// The Pusher protocol driven without sockets: a fake transport records what each peer would receive.
// Shared by the protocol unit tests.
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "pusher/PeerTransport.h"

namespace resound::protocol_test {

// Server frames are unmasked: strip the header to get the JSON text back.
inline std::string payloadOf(const std::string& frame) {
    const std::size_t length = static_cast<unsigned char>(frame[1]) & 0x7F;
    const std::size_t offset = length == 126 ? 4 : length == 127 ? 10 : 2;
    return frame.substr(offset);
}

class FakeTransport : public pusher::PeerTransport {
  public:
    void send(pusher::Peer& peer, const pusher::SharedFrame& frame) override {
        if (peer.closing) return;
        received[&peer].push_back(payloadOf(*frame));
    }
    void close(pusher::Peer& peer, std::uint16_t code, std::string_view) override {
        peer.closing = true;
        closeCodes[&peer] = code;
    }
    std::map<pusher::Peer*, std::vector<std::string>> received;
    std::map<pusher::Peer*, std::uint16_t> closeCodes;
};

}  // namespace resound::protocol_test
